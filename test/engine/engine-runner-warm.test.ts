// A warmed runner keeps the next launch's dir ready (HOME, write dir, settings), so that a launch writes only its script.
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstalledEngine } from '../../src-main/core/engine/engine-registry';
import type { EngineLaunchRequest } from '../../src-main/core/engine/engine-runner';
import { EngineRunner } from '../../src-main/core/engine/engine-runner';

let dir: string;
let tempBase: string;
const runners: EngineRunner[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'engine-warm-'));
  tempBase = path.join(dir, 'launches');
});
afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.dispose();
  // dispose() removes the spare too: nothing is left behind.
  expect(await readdir(tempBase).catch(() => [])).toEqual([]);
  await rm(dir, { recursive: true, force: true });
});

// Prints where it runs and what it was given, as the real engine would read it.
const REPORTING_ENGINE = `
for last; do :; done
echo "home: $HOME"
echo "script: $last"
echo "mode: $(stat -c %a "$last")"
cat "$last"
cat "$(dirname "$last")/write/springsettings.cfg"`;

async function fakeEngine(body: string): Promise<InstalledEngine> {
  const file = path.join(dir, 'spring-headless');
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return { version: 'fake', binaries: { headless: file }, dataDir: '/usr/share/games/spring', source: 'directory' };
}

function request(engine: InstalledEngine, password = 'hunter2-secret'): EngineLaunchRequest {
  return { engine, binary: 'headless', join: { ip: '127.0.0.1', port: 8452, username: 'Alice', password }, contentDirs: [path.join(dir, 'content')] };
}

function runner(): EngineRunner {
  const r = new EngineRunner({ tempBase });
  runners.push(r);
  return r;
}

async function launchDirs(): Promise<string[]> {
  return (await readdir(tempBase)).filter((name) => name.startsWith('engine-')).sort();
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

describe('EngineRunner.warm', () => {
  it('has the spare dir ready before any launch, spawns the engine in it with only the script added, and makes the next one', async () => {
    const r = runner();
    await r.warm({ binary: 'headless' });
    const [spare, ...others] = await launchDirs();
    expect(others).toEqual([]);
    const spareDir = path.join(tempBase, spare!);
    expect((await stat(spareDir)).mode & 0o777).toBe(0o700);
    expect(await readFile(path.join(spareDir, 'write', 'springsettings.cfg'), 'utf8')).toBe('ROAM = 0\nTextureMemPoolSize = 0\n');
    expect(await exists(path.join(spareDir, 'home', '.spring', 'cacert.pem'))).toBe(true);
    expect(await exists(path.join(spareDir, 'script.txt'))).toBe(false);

    const engine = await fakeEngine(REPORTING_ENGINE);
    await r.launch(request(engine));
    expect(await r.waitForExit()).toMatchObject({ code: 0, ok: true });
    const text = r.console().map((l) => l.text);
    expect(text).toContain(`home: ${spareDir}/home`);
    expect(text).toContain(`script: ${spareDir}/script.txt`);
    expect(text).toContain('mode: 600');
    expect(text).toContain('\tMyPasswd=[redacted];');
    expect(text).toContain('ROAM = 0');

    // The launch's dir (with the password) is gone with its engine; a new spare, without a script, waits for the next.
    await r.warm({ binary: 'headless' });
    const [next, ...more] = await launchDirs();
    expect(more).toEqual([]);
    expect(next).not.toBe(spare);
    expect(await exists(path.join(tempBase, next!, 'script.txt'))).toBe(false);
  });

  it('a launch with other settings rewrites the spare\'s settings file, and the next spare has them', async () => {
    const r = runner();
    await r.warm({ binary: 'headless' });
    const engine = await fakeEngine(REPORTING_ENGINE);
    await r.launch({ ...request(engine), settings: { XResolution: 640 } });
    await r.waitForExit();
    expect(r.console().map((l) => l.text)).toContain('XResolution = 640');
    await r.warm({ binary: 'headless', settings: { XResolution: 640 } });
    const [next] = await launchDirs();
    expect(await readFile(path.join(tempBase, next!, 'write', 'springsettings.cfg'), 'utf8')).toContain('XResolution = 640');
  });

  it('a spare removed from under it (a temp cleaner): the launch makes its own dir and still starts', async () => {
    const r = runner();
    await r.warm({ binary: 'headless' });
    const [spare] = await launchDirs();
    await rm(path.join(tempBase, spare!), { recursive: true, force: true });
    const engine = await fakeEngine(REPORTING_ENGINE);
    await r.launch(request(engine));
    expect(await r.waitForExit()).toMatchObject({ code: 0, ok: true });
    const home = r.console().map((l) => l.text).find((l) => l.startsWith('home: '));
    expect(home).toMatch(new RegExp(`^home: ${tempBase}/engine-[^/]+/home$`));
    expect(home).not.toContain(spare);
  });

  it('hostile join data writes nothing into the spare', async () => {
    const r = runner();
    await r.warm({ binary: 'headless' });
    const engine = await fakeEngine('exit 0');
    await expect(r.launch(request(engine, 'x;IsHost=1'))).rejects.toThrow('start script: password contains one of');
    const [spare, ...others] = await launchDirs();
    expect(others).toEqual([]);
    expect(await exists(path.join(tempBase, spare!, 'script.txt'))).toBe(false);
  });
});
