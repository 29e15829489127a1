// Leftover launch dirs (join scripts hold passwords) are swept when a runner starts, unless a live lobby or engine owns them.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineRunner } from '../../src-main/core/engine/engine-runner';

let dir: string;
let base: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'launch-dirs-'));
  base = path.join(dir, 'engine-runs');
  await mkdir(base);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has come and gone. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}

async function plant(name: string, owner?: object | string, ageMs = 0): Promise<void> {
  const launch = path.join(base, name);
  await mkdir(path.join(launch, 'home', '.spring'), { recursive: true });
  await writeFile(path.join(launch, 'script.txt'), '[GAME]\n{\n\tMyPasswd=leftover-secret;\n}\n', { mode: 0o600 });
  if (owner !== undefined) await writeFile(path.join(launch, 'owner.json'), typeof owner === 'string' ? owner : JSON.stringify(owner));
  if (ageMs > 0) {
    const then = new Date(Date.now() - ageMs);
    await utimes(launch, then, then);
  }
}

describe('sweeping leftover launch dirs', () => {
  it('removes dirs no live process owns and keeps the rest', async () => {
    const dead = await deadPid();
    await plant('engine-crashed', { lobbyPid: dead });
    await plant('engine-crashed-long-ago', undefined, 3_600_000);
    await plant('engine-this-lobby', { lobbyPid: process.pid });
    await plant('engine-orphaned-engine', { lobbyPid: dead, enginePid: process.ppid });
    await plant('engine-being-made', undefined);
    await plant('engine-garbled-owner', '{not json', 3_600_000);
    await plant('not-a-launch', { lobbyPid: dead });
    const outside = path.join(dir, 'outside');
    await mkdir(outside);
    await writeFile(path.join(outside, 'keep.txt'), 'x');
    await symlink(outside, path.join(base, 'engine-link'));

    const runner = new EngineRunner({ tempBase: base });
    expect(await runner.sweptLeftovers()).toBe(3);
    await runner.dispose();
    expect((await readdir(base)).sort()).toEqual(['engine-being-made', 'engine-link', 'engine-orphaned-engine', 'engine-this-lobby', 'not-a-launch']);
    expect(await readdir(outside)).toEqual(['keep.txt']);
  });

  it('leaves the shared temp dir alone when no tempBase is given', async () => {
    const runner = new EngineRunner();
    expect(await runner.sweptLeftovers()).toBe(0);
    await runner.dispose();
  });
});
