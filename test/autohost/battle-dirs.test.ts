// Leftover battle directories (their scripts hold passwords) are swept at start unless a live process owns them; real files and processes.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalAutohost } from '../../src-main/core/autohost';
import { createBattleDir, sweepLeftoverBattleDirs } from '../../src-main/core/autohost/battle-dirs';
import { EngineRegistry } from '../../src-main/core/engine';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

async function tempRoot(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'autohost-sweep-'));
  roots.push(root);
  return root;
}

/** A battle directory as a crashed lobby leaves it: a script with a password, made long enough ago. */
async function plantLeftover(base: string, name: string, owner?: unknown): Promise<string> {
  const dir = path.join(base, name);
  await mkdir(dir, { mode: 0o700 });
  await writeFile(path.join(dir, 'script.txt'), '[GAME]{[PLAYER0]{Name=Alice;Password=alice-pw-1;}}', { mode: 0o600 });
  if (owner !== undefined) await writeFile(path.join(dir, 'owner.json'), JSON.stringify(owner));
  const anHourAgo = new Date(Date.now() - 3_600_000);
  await utimes(dir, anHourAgo, anHourAgo);
  return dir;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('battle directory sweep', () => {
  it('deletes leftovers no live process owns, and keeps the rest', async () => {
    const base = await tempRoot();
    await plantLeftover(base, 'battle-unmarked');
    await plantLeftover(base, 'battle-dead-owner', { pid: await deadPid(), started: '1' });
    await plantLeftover(base, 'battle-reused-pid', { pid: process.pid, started: 'not-this-process' });
    const live = await createBattleDir(base);
    const fresh = path.join(base, 'battle-being-made');
    await mkdir(fresh);
    const underEngine = await plantLeftover(base, 'battle-engine-still-runs');
    const other = await plantLeftover(base, 'not-a-battle');
    await mkdir(path.join(base, 'elsewhere'));
    await symlink(path.join(base, 'elsewhere'), path.join(base, 'battle-link'));
    // An orphaned engine still working in its directory: its directory stays.
    const worker = spawn(process.execPath, ['-e', 'process.stdin.resume()'], { cwd: underEngine, stdio: ['pipe', 'ignore', 'ignore'] });
    await new Promise((resolve) => worker.once('spawn', resolve));
    try {
      const swept = await sweepLeftoverBattleDirs(base, { markedOnly: false });
      expect(swept.sort()).toEqual(['battle-dead-owner', 'battle-reused-pid', 'battle-unmarked']);
      expect((await readdir(base)).sort()).toEqual(['battle-being-made', 'battle-engine-still-runs', 'battle-link', path.basename(live), 'elsewhere', 'not-a-battle'].sort());
      expect((await stat(other)).isDirectory()).toBe(true);
      expect((await stat(live)).mode & 0o777).toBe(0o700);
    } finally {
      worker.kill('SIGKILL');
    }
  });

  it('in a shared parent, only directories marked as a battle\'s', async () => {
    const base = await tempRoot();
    await plantLeftover(base, 'battle-unmarked');
    await plantLeftover(base, 'battle-dead-owner', { pid: await deadPid(), started: null });
    expect(await sweepLeftoverBattleDirs(base, { markedOnly: true })).toEqual(['battle-dead-owner']);
  });

  it('LocalAutohost.start() sweeps its battlesDir before the first battle', async () => {
    const base = await tempRoot();
    await plantLeftover(base, 'battle-crashed');
    const server = new TachyonServer();
    await server.listen(0);
    const { secret } = server.addAutohostClient('ah-sweep');
    const autohost = new LocalAutohost({
      serverUrl: server.baseUrl,
      clientId: 'ah-sweep',
      clientSecret: secret,
      registry: await EngineRegistry.discover({ engineDirs: [], includeSystem: false }),
      contentDirs: [],
      battlesDir: base,
    });
    try {
      await autohost.start();
      expect(await readdir(base)).toEqual([]);
    } finally {
      await autohost.close();
      await server.close();
    }
  });
});
