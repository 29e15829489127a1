// The runner with stand-in engines (shell scripts): script file mode and lifetime, environment, redaction, intents, exits.
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstalledEngine } from '../../src-main/core/engine/engine-registry';
import type { EngineLaunchRequest, EngineStatus } from '../../src-main/core/engine/engine-runner';
import { EngineRunner, explainExit } from '../../src-main/core/engine/engine-runner';

let dir: string;
let tempBase: string;
const runners: EngineRunner[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'engine-runner-'));
  tempBase = path.join(dir, 'launches');
});
afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.dispose();
  expect(await readdir(tempBase).catch(() => [])).toEqual([]);
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in engine: a shell script that behaves like spring-headless in the ways the runner cares about. */
async function fakeEngine(body: string): Promise<InstalledEngine> {
  const file = path.join(dir, `spring-headless-${runners.length}`);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return { version: 'fake', binaries: { headless: file }, dataDir: '/usr/share/games/spring', source: 'directory' };
}

function request(engine: InstalledEngine, password = 'hunter2-secret'): EngineLaunchRequest {
  return { engine, binary: 'headless', join: { ip: '127.0.0.1', port: 8452, username: 'Alice', password }, contentDirs: [path.join(dir, 'content')] };
}

function runner(options: ConstructorParameters<typeof EngineRunner>[0] = {}): EngineRunner {
  const r = new EngineRunner({ tempBase, ...options });
  runners.push(r);
  return r;
}

describe('EngineRunner with a stand-in engine', () => {
  it('passes args and an explicit environment, writes the script 0600, redacts the password, deletes everything at exit', async () => {
    // Prints what the real engine would see; `for last` takes the last argument (the script).
    const engine = await fakeEngine(`
for last; do :; done
echo "args: $*"
echo "mode: $(stat -c %a "$last")"
echo "home: $HOME"
echo "datadir: $SPRING_DATADIR"
echo "cacert: $(wc -c < "$HOME/.spring/cacert.pem")"
echo "secretenv: \${TACHYON_TOKEN:-none}"
cat "$last"
cat "$(dirname "$last")/write/springsettings.cfg"
echo "the password is hunter2-secret, really" >&2`);
    process.env.TACHYON_TOKEN = 'must-not-leak';
    const r = runner();
    const statuses: EngineStatus[] = [];
    r.onStatus((s) => statuses.push(s));
    try {
      await r.launch(request(engine));
    } finally {
      delete process.env.TACHYON_TOKEN;
    }
    const exit = (await r.waitForExit())!;
    expect(exit).toMatchObject({ code: 0, ok: true, requested: false });
    const text = r.console().map((l) => l.text);
    const launchDir = /home: (.*)\/home$/.exec(text.find((l) => l.startsWith('home: '))!)![1]!;
    expect(text).toContain(`args: --isolation-dir ${path.join(dir, 'content')} --write-dir ${launchDir}/write ${launchDir}/script.txt`);
    expect(text).toContain('mode: 600');
    expect(text).toContain('datadir: /usr/share/games/spring');
    expect(text.find((l) => l.startsWith('cacert: '))).not.toBe('cacert: 0');
    expect(text).toContain('secretenv: none');
    expect(text).toContain('\tMyPlayerName=Alice;');
    expect(text).toContain('\tMyPasswd=[redacted];');
    expect(text).toContain('ROAM = 0');
    expect(text).toContain('TextureMemPoolSize = 0');
    expect(r.console().find((l) => l.stream === 'stderr')?.text).toBe('the password is [redacted], really');
    expect(text.join('\n')).not.toContain('hunter2');
    // `starting` again once spawned, with the pid.
    expect(statuses).toEqual(['starting', 'starting', 'offline']);
    expect(await readdir(tempBase)).toEqual([]);
  });

  it('plays a demo: the demo is the last argument and no script is written; a launch must join or play, not both', async () => {
    const engine = await fakeEngine('for last; do :; done\necho "args: $*"\nls "$(dirname "$HOME")"');
    const r = runner();
    const demo = path.join(dir, 'replays', '20261201_120000_Tiny Flat_106.0.sdfz');
    const { join: _join, ...rest } = request(engine);
    await r.launch({ ...rest, demo });
    expect(await r.waitForExit()).toMatchObject({ code: 0, ok: true });
    const text = r.console().map((l) => l.text);
    expect(text.find((l) => l.startsWith('args: '))).toMatch(new RegExp(`--write-dir \\S+/write ${demo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    expect(text).not.toContain('script.txt');
    await expect(r.launch({ ...request(engine), demo })).rejects.toThrow(/exactly one/);
    await expect(r.launch(rest)).rejects.toThrow(/exactly one/);
    await expect(r.launch({ ...rest, demo: 'relative.sdfz\n' })).rejects.toThrow(/absolute path/);
  });

  it('hides a one-character password without garbling the rest of the console', async () => {
    const engine = await fakeEngine('for last; do :; done\ncat "$last"\necho "max extra exit, said x"');
    const r = runner();
    await r.launch(request(engine, 'x'));
    await r.waitForExit();
    const text = r.console().map((l) => l.text);
    expect(text).toContain('\tMyPasswd=[redacted];');
    expect(text).toContain('max extra exit, said [redacted]');
  });

  it('bounds the console ring buffer', async () => {
    const engine = await fakeEngine('i=0; while [ $i -lt 50 ]; do echo "line $i"; i=$((i+1)); done');
    const r = runner({ consoleLines: 10 });
    await r.launch(request(engine));
    await r.waitForExit();
    expect(r.console().map((l) => l.text)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${40 + i}`));
  });

  it('reports a non-zero exit with its code, last lines and the explanation of the exit-code table', async () => {
    const engine = await fakeEngine('echo "[t=00:00:00] Error: [ExitSpringProcess] errorMsg=\\"Dependent archive \\"Theta Crystals 1.3\\" (mutators ) not found\\""; exit 21');
    const r = runner();
    const exits: unknown[] = [];
    r.onExit((e) => exits.push(e));
    await r.launch(request(engine));
    const exit = (await r.waitForExit())!;
    expect(exit).toMatchObject({ code: 21, ok: false, explanation: 'Content is missing: "Theta Crystals 1.3" is not installed (engine exit code 21).' });
    expect(exit.lastLines).toHaveLength(1);
    expect(exits).toEqual([exit]);
    expect(r.snapshot()).toMatchObject({ status: 'offline', lastExit: exit, engineVersion: 'fake' });
  });

  it('stop sends SIGTERM and escalates to SIGKILL after the grace period; start relaunches; kill is immediate', async () => {
    const engine = await fakeEngine('trap "" TERM; echo up; while :; do sleep 0.05; done');
    const r = runner({ stopGraceMs: 300 });
    const statuses: EngineStatus[] = [];
    r.onStatus((s) => statuses.push(s));
    await expect(r.start()).rejects.toThrow(/no battle to start/);
    await r.launch(request(engine));
    const stats = await r.stats();
    expect(stats).toMatchObject({ pid: r.snapshot().pid });
    expect(stats!.uptimeMs).toBeGreaterThanOrEqual(0);
    const started = performance.now();
    const stopped = (await r.stop())!;
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(stopped).toMatchObject({ signal: 'SIGKILL', requested: true, ok: true });
    expect(stopped.explanation).toBeUndefined();
    await r.start();
    expect(r.status).toBe('starting');
    const killed = (await r.kill())!;
    expect(killed).toMatchObject({ signal: 'SIGKILL', requested: true });
    expect(statuses).toEqual(['starting', 'starting', 'stopping', 'offline', 'starting', 'starting', 'stopping', 'offline']);
  });

  it('restart and launch({ replace: true }) stop the running engine first', async () => {
    const engine = await fakeEngine('while :; do sleep 0.05; done');
    const r = runner();
    await r.launch(request(engine));
    const firstPid = r.snapshot().pid;
    await r.restart();
    const secondPid = r.snapshot().pid;
    expect(secondPid).not.toBe(firstPid);
    await r.launch(request(engine, 'other'), { replace: true });
    expect(r.snapshot().pid).not.toBe(secondPid);
    expect(r.snapshot().lastExit).toMatchObject({ requested: true, signal: 'SIGTERM' });
  });

  it('writes nothing for hostile join data', async () => {
    const engine = await fakeEngine('exit 0');
    const r = runner();
    await expect(r.launch(request(engine, 'x;IsHost=1'))).rejects.toThrow('start script: password contains one of');
    expect(r.status).toBe('offline');
    expect(await readdir(tempBase).catch(() => [])).toEqual([]);
  });
});

describe('explainExit', () => {
  it.each([
    [0, null, [], undefined],
    [0, null, ['[t=00:00:01.888228][f=-000001] Kicked from the battle'], 'The battle host removed you from the game (kicked).'],
    [21, null, ['Connection rejected: Incorrect password'], 'The battle host rejected the password (engine exit code 21).'],
    [21, null, [' -> User name not authorized to connect'], 'The battle host does not know this player name (engine exit code 21).'],
    [21, null, [], 'The engine could not join the battle: content missing, a network problem or an incorrect password.'],
    [233, null, ['[PreGame::UpdateClientNet] server connection timeout'], 'The battle host did not answer in time (engine exit code 233).'],
    [233, null, [], 'The battle host did not answer in time: it may not be running, or the network blocks it.'],
    [234, null, [], 'The engine failed to load the game or map.'],
    [1, null, [], 'The engine stopped with exit code 1.'],
    [null, 'SIGKILL', [], 'The engine was killed (SIGKILL): another program or the system ended it.'],
    [null, 'SIGSEGV', [], 'The engine was stopped by SIGSEGV.'],
  ] as const)('code %s signal %s', (code, signal, lines, expected) => {
    expect(explainExit(code, signal, lines)).toBe(expected);
  });
});
