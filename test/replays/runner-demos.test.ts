// The player's engine runner keeps the demos its engine wrote once the engine has exited (stand-in engines: shell scripts that write where spring-headless does).
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineRunner, type EngineLaunchRequest, type InstalledEngine } from '../../src-main/core/engine';

let dir: string;
const runners: EngineRunner[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'runner-demos-'));
});
afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in that finds its --write-dir like the engine and runs `body` with it in $W. */
async function fakeEngine(body: string): Promise<InstalledEngine> {
  const file = path.join(dir, 'spring-headless');
  await writeFile(file, `#!/bin/sh\nwhile [ $# -gt 1 ]; do [ "$1" = --write-dir ] && W="$2"; shift; done\n${body}\n`);
  await chmod(file, 0o755);
  return { version: 'fake', binaries: { headless: file }, dataDir: '/usr/share/games/spring', source: 'directory' };
}

function request(engine: InstalledEngine, extra: Partial<EngineLaunchRequest> = {}): EngineLaunchRequest {
  return { engine, binary: 'headless', join: { ip: '127.0.0.1', port: 8452, username: 'Alice', password: 'pw-123456789' }, contentDirs: [path.join(dir, 'content')], ...extra };
}

function runner(replaysDir: string | undefined): EngineRunner {
  const r = new EngineRunner({ tempBase: path.join(dir, 'runs'), stopGraceMs: 2_000, ...(replaysDir ? { replaysDir } : {}) });
  runners.push(r);
  return r;
}

describe("the runner's demos", () => {
  it('moves demos/*.sdfz into the replays folder when the engine exits, before the launch dir goes', async () => {
    const engine = await fakeEngine('mkdir -p "$W/demos"; printf demo > "$W/demos/20261201_071748_Tiny Flat_.sdfz"; printf x > "$W/demos/notes.txt"');
    const replays = path.join(dir, 'data', 'replays');
    const r = runner(replays);
    await r.launch(request(engine));
    expect(await r.waitForExit()).toMatchObject({ code: 0 });
    expect(await readdir(replays)).toEqual(['20261201_071748_Tiny Flat_.sdfz']);
    expect(await readFile(path.join(replays, '20261201_071748_Tiny Flat_.sdfz'), 'utf8')).toBe('demo');
    expect(await readdir(path.join(dir, 'runs'))).toEqual([]);
  });

  it('an engine stopped mid-game leaves only the empty file it created at game start: nothing is kept', async () => {
    const engine = await fakeEngine('mkdir -p "$W/demos"; : > "$W/demos/20261201_071748_Map_.sdfz"; echo "received local player number"; exec sleep 30');
    const replays = path.join(dir, 'replays');
    const r = runner(replays);
    await r.launch(request(engine));
    // Running once it "connected": by then the stand-in has created its empty demo, as the engine does at game start.
    await new Promise<void>((resolve) => {
      r.onStatus((status) => status === 'running' && resolve());
      if (r.status === 'running') resolve();
    });
    await r.stop();
    expect(await readdir(replays).catch(() => 'absent')).toBe('absent');
  });

  it('keeps nothing without a replays folder, and leaves a given write dir alone', async () => {
    const engine = await fakeEngine('mkdir -p "$W/demos"; printf demo > "$W/demos/20261201_071748_Map_.sdfz"');
    const none = runner(undefined);
    await none.launch(request(engine));
    await none.waitForExit();
    expect(await readdir(dir)).not.toContain('replays');
    const writeDir = path.join(dir, 'own-write');
    await mkdir(writeDir);
    const own = runner(path.join(dir, 'replays'));
    await own.launch(request(engine, { writeDir }));
    await own.waitForExit();
    expect(await readdir(path.join(writeDir, 'demos'))).toEqual(['20261201_071748_Map_.sdfz']);
    expect(await readdir(path.join(dir, 'replays')).catch(() => 'absent')).toBe('absent');
  });
});
