// One engine at a time: concurrent and replacing launches, stop/kill/dispose while a launch is starting, with a stand-in engine.
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstalledEngine } from '../../src-main/core/engine/engine-registry';
import type { EngineExit, EngineLaunchRequest, EngineStatus } from '../../src-main/core/engine/engine-runner';
import { EngineLaunchAbortedError, EngineRunner } from '../../src-main/core/engine/engine-runner';
import { childProcesses } from '../support/processes';
import { waitFor } from '../support/world';

let dir: string;
let tempBase: string;
const runners: EngineRunner[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'engine-concurrency-'));
  tempBase = path.join(dir, 'launches');
});
afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.dispose();
  expect(alivePids()).toEqual([]);
  expect(await readdir(tempBase).catch(() => [])).toEqual([]);
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in engine that just runs, as an engine waiting for its host does. */
async function sleepingEngine(): Promise<InstalledEngine> {
  const file = path.join(dir, 'spring-headless');
  await writeFile(file, '#!/bin/sh\nexec sleep 60\n');
  await chmod(file, 0o755);
  return { version: '106.0', binaries: { headless: file }, dataDir: '/usr/share/games/spring', source: 'directory' };
}

/** This process's children that are stand-in engines (the shell before its exec, or the sleep after it). */
function alivePids(): number[] {
  return childProcesses().filter((p) => p.cmdline.includes(dir) || p.cmdline.startsWith('sleep 60')).map((p) => p.pid);
}

function request(engine: InstalledEngine, password = 'pw-concurrency'): EngineLaunchRequest {
  return { engine, binary: 'headless', join: { ip: '127.0.0.1', port: 8452, username: 'Alice', password }, contentDirs: [path.join(dir, 'content')] };
}

function runner(): EngineRunner {
  const r = new EngineRunner({ tempBase, stopGraceMs: 2_000 });
  runners.push(r);
  return r;
}

async function settle<T>(promises: Array<Promise<T>>): Promise<Array<PromiseSettledResult<T>>> {
  return Promise.allSettled(promises);
}

describe('EngineRunner: one engine at a time', () => {
  it('two concurrent replacing launches: the newer wins, the older is answered superseded, one engine runs', async () => {
    const engine = await sleepingEngine();
    const r = runner();
    const [first, second] = await settle([r.launch(request(engine), { replace: true }), r.launch(request(engine), { replace: true })]);
    expect(first).toMatchObject({ status: 'rejected', reason: expect.any(EngineLaunchAbortedError) });
    expect(first?.status === 'rejected' && (first.reason as EngineLaunchAbortedError).reason).toBe('superseded');
    expect(second?.status).toBe('fulfilled');
    const alive = alivePids();
    expect(alive).toEqual([r.snapshot().pid]);
    expect(r.status).toBe('starting');
    await r.dispose();
    expect(alivePids()).toEqual([]);
    expect(r.status).toBe('offline');
  });

  it('six concurrent replacing launches leave exactly one engine, and dispose leaves none', async () => {
    const engine = await sleepingEngine();
    const r = runner();
    const exits: EngineExit[] = [];
    r.onExit((exit) => exits.push(exit));
    const results = await settle(Array.from({ length: 6 }, () => r.launch(request(engine), { replace: true })));
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    // The survivor's command line reads empty for an instant while its shell execs `sleep` (a loaded machine widens that
    // instant), so look until it shows; the runner's own pid is the one that must be alive.
    const survivor = r.snapshot().pid;
    await waitFor('the surviving engine to show', () => alivePids().length > 0 || undefined, 10_000);
    expect(alivePids()).toEqual([survivor]);
    // No superseded launch became the battle's engine, so nobody heard of an exit.
    expect(exits).toEqual([]);
    await r.dispose();
    expect(alivePids()).toEqual([]);
  });

  it('a replacing launch stops the running engine first and reports its exit as replaced', async () => {
    const engine = await sleepingEngine();
    const r = runner();
    const exits: EngineExit[] = [];
    r.onExit((exit) => exits.push(exit));
    await r.launch(request(engine));
    const firstPid = r.snapshot().pid;
    await r.launch(request(engine), { replace: true });
    expect(r.snapshot().pid).not.toBe(firstPid);
    expect(exits).toEqual([expect.objectContaining({ requested: true, replaced: true, signal: 'SIGTERM' })]);
    expect(alivePids()).toEqual([r.snapshot().pid]);
    const stopped = await r.stop();
    expect(stopped).toMatchObject({ requested: true, replaced: false });
  });

  it.each(['stop', 'kill'] as const)('%s while the launch is starting ends it: no engine is left and the status is offline', async (how) => {
    const engine = await sleepingEngine();
    const r = runner();
    const statuses: EngineStatus[] = [];
    r.onStatus((s) => statuses.push(s));
    const launching = r.launch(request(engine));
    expect(r.status).toBe('starting');
    const halted = how === 'stop' ? r.stop() : r.kill();
    await expect(launching).rejects.toMatchObject({ name: 'EngineLaunchAbortedError', reason: 'stopped' });
    await halted;
    expect(r.status).toBe('offline');
    expect(statuses).toEqual(['starting', 'stopping', 'offline']);
    expect(alivePids()).toEqual([]);
    expect(await readdir(tempBase).catch(() => [])).toEqual([]);
  });

  it('stop after the spawn began but before the launch settled kills the fresh engine', async () => {
    const engine = await sleepingEngine();
    const r = runner();
    const launching = r.launch(request(engine));
    // The owner file is written right after mkdtemp: the launch is then past its disk work and about to spawn.
    for (let i = 0; i < 500 && (await readdir(tempBase).catch(() => [])).length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    const stopped = r.stop();
    await expect(launching).rejects.toBeInstanceOf(EngineLaunchAbortedError);
    await stopped;
    expect(alivePids()).toEqual([]);
  });

  it('dispose while launches are starting and running leaves no child', async () => {
    const engine = await sleepingEngine();
    const r = runner();
    await r.launch(request(engine));
    const late = r.launch(request(engine), { replace: true }).catch((error: unknown) => error);
    await r.dispose();
    expect(await late).toMatchObject({ reason: 'closed' });
    expect(alivePids()).toEqual([]);
    await expect(r.launch(request(engine))).rejects.toMatchObject({ reason: 'closed' });
  });

  it('a launch without replace while another is starting is refused as busy', async () => {
    const engine = await sleepingEngine();
    const r = runner();
    const first = r.launch(request(engine));
    await expect(r.launch(request(engine))).rejects.toThrow(/already running/);
    await first;
    expect(alivePids()).toHaveLength(1);
  });
});
