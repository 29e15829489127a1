// The lock across processes (download-lock.ts) and the temp-file sweep that respects other live processes, on real files.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sweepTemps } from '../../src-main/core/content/content-files';
import { acquireDownloadLock, processAlive } from '../../src-main/core/content/download-lock';
import { deadPid } from './cli-run';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'download-lock-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const never = new AbortController().signal;

async function setAge(file: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  await utimes(file, then, then);
}

describe('acquireDownloadLock', () => {
  it('holds an O_EXCL file naming this process; a second asker waits until it is released', async () => {
    const file = path.join(dir, 'sub', '.x.lock');
    const first = await acquireDownloadLock(file, { signal: never });
    expect(first.waited).toBe(false);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname() });
    let waits = 0;
    let resolveWaiting!: () => void;
    const waiting = new Promise<void>((resolve) => { resolveWaiting = resolve; });
    const second = acquireDownloadLock(file, { signal: never, onWait: (holder) => { waits++; expect(holder?.pid).toBe(process.pid); resolveWaiting(); } });
    await waiting;
    await first.release();
    const lock = await second;
    expect(lock).toMatchObject({ waited: true, tookOver: false });
    expect(waits).toBeGreaterThan(0);
    await lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it('a cancel while waiting rejects with an aborted error and leaves the holder\'s lock alone', async () => {
    const file = path.join(dir, '.x.lock');
    const held = await acquireDownloadLock(file, { signal: never });
    const controller = new AbortController();
    const asked = acquireDownloadLock(file, { signal: controller.signal, onWait: () => controller.abort() });
    await expect(asked).rejects.toMatchObject({ code: 'aborted' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid });
    await held.release();
  });

  it('takes over the lock of a dead pid, one that does not parse after a few seconds, and a live pid\'s silent for too long', async () => {
    const file = path.join(dir, '.x.lock');
    await writeFile(file, JSON.stringify({ pid: await deadPid(), host: os.hostname(), started: 0, token: 'dead' }));
    const a = await acquireDownloadLock(file, { signal: never });
    expect(a).toMatchObject({ waited: false, tookOver: true });
    await a.release();

    await writeFile(file, '{"pid":');
    await setAge(file, 10_000);
    const b = await acquireDownloadLock(file, { signal: never });
    expect(b.tookOver).toBe(true);
    await b.release();

    // This process is alive, but the lock's heartbeat and the part stopped three minutes ago: a reused pid, or a hung holder.
    const part = path.join(dir, '.x.part');
    await writeFile(part, 'x');
    await setAge(part, 180_000);
    await writeFile(file, JSON.stringify({ pid: process.pid, host: os.hostname(), started: 0, token: 'old' }));
    await setAge(file, 180_000);
    const c = await acquireDownloadLock(file, { signal: never, activity: part });
    expect(c.tookOver).toBe(true);
    await c.release();
  });

  it('the holder\'s heartbeat keeps its lock fresh; release removes only its own lock', async () => {
    const file = path.join(dir, '.x.lock');
    const lock = await acquireDownloadLock(file, { signal: never, heartbeatMs: 20 });
    await setAge(file, 180_000);
    const before = Date.now() - 60_000;
    // Touched again within a few heartbeats (polled on the file, not timed).
    for (;;) {
      if ((await stat(file)).mtimeMs > before) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writeFile(file, JSON.stringify({ pid: process.pid, host: os.hostname(), started: 0, token: 'someone else' }));
    await lock.release();
    expect(existsSync(file)).toBe(true);
  });
});

describe('sweepTemps across processes', () => {
  it('keeps a live process\'s temp file, removes a dead one\'s and this process\'s idle ones', async () => {
    const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const dead = await deadPid();
      expect(processAlive(live.pid!)).toBe(true);
      expect(processAlive(dead)).toBe(false);
      const target = path.join(dir, 'abc.gz');
      const names = [`.abc.gz.${live.pid}-0123456789ab.part`, `.abc.gz.${dead}-0123456789ab.part`, `.abc.gz.${process.pid}-0123456789ab.part`, '.abc.gz.0123456789ab.part', '.other.gz.0123456789ab.part'];
      for (const name of names) await writeFile(path.join(dir, name), 'x');
      await sweepTemps([target]);
      expect((await readdir(dir)).sort()).toEqual([names[0], names[4]].sort());
    } finally {
      live.kill('SIGKILL');
    }
  });
});
