// battle/start from the embedded server to a player with a stand-in engine: bursts, replacement, and what a failure tells the server.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineRegistry, TEST_GAME_NAME, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import type { LobbyPatch } from '../../src-main/core/lobby/state';
import { connected, createWorld, waitFor, type World } from '../support/world';
import { childProcesses } from '../support/processes';

let world: World;
let base: string;
let engineDir: string;
let contentDir: string;

beforeEach(async () => {
  world = await createWorld();
  base = world.tempDir();
  engineDir = join(base, 'engine');
  contentDir = join(base, 'content');
  await mkdir(engineDir, { recursive: true });
  // A stand-in spring-headless that just runs, as an engine waiting for its host does.
  await writeFile(join(engineDir, 'spring-headless'), '#!/bin/sh\nexec sleep 60\n');
  await chmod(join(engineDir, 'spring-headless'), 0o755);
  await writeTestContent(contentDir);
});
afterEach(async () => {
  await world.dispose();
  expect(standInEngines()).toEqual([]);
});

/** This process's children that are stand-in engines (the shell before its exec, or the sleep after it). */
function standInEngines(): number[] {
  return childProcesses().filter((p) => p.cmdline.includes(engineDir) || p.cmdline.startsWith('sleep 60')).map((p) => p.pid);
}

async function player(name: string) {
  const registry = await EngineRegistry.discover({ engineDirs: [engineDir], includeSystem: false, runVersion: async () => 'spring-headless version 106.0 (Headless)' });
  const dataDir = world.tempDir();
  const p = await world.player(name, {
    dataDir,
    engine: { registry, contentDirs: [contentDir], binary: 'headless', runner: { tempBase: join(dataDir, 'engine-runs'), stopGraceMs: 2_000 } },
  });
  await waitFor('connected', () => connected(p.app));
  return p;
}

function battleStart(username: string, port = 8452): BattleStartRequestData {
  return {
    username, password: 'pw-replace-1', ip: '127.0.0.1', port, engine: { version: '106.0' }, game: { springName: TEST_GAME_NAME }, map: { springName: TEST_MAP_NAME },
  };
}

describe('battle/start with a stand-in engine', () => {
  it('six at once: one engine runs, the others are answered failed, and closing the lobby leaves no engine', async () => {
    const alice = await player('alice');
    const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => world.controls.request(alice.userId, 'battle/start', battleStart('alice', 8452 + i))));
    expect(responses.map((r) => r.status)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'success']);
    for (const response of responses.slice(0, 5)) expect(response).toMatchObject({ reason: 'internal_error', details: expect.stringMatching(/newer battle launch replaced/) });
    expect(standInEngines()).toHaveLength(1);
    expect(alice.app.snapshot().battle).toMatchObject({ phase: 'running', host: '127.0.0.1:8457' });
    expect(alice.app.snapshot().matchmaking.phase).toBe('battle');
    expect(alice.app.snapshot().notices.filter((n) => n.level === 'error')).toEqual([]);
    await alice.app.close();
    expect(standInEngines()).toEqual([]);
  });

  it('a replacing battle/start neither ends the battle nor drops matchmaking to idle', async () => {
    const alice = await player('alice');
    expect(await world.controls.request(alice.userId, 'battle/start', battleStart('alice', 9001))).toMatchObject({ status: 'success' });
    const [firstPid] = standInEngines();
    const patches: LobbyPatch[] = [];
    alice.app.onPatch((patch) => patches.push(patch));
    expect(await world.controls.request(alice.userId, 'battle/start', battleStart('alice', 9002))).toMatchObject({ status: 'success' });
    expect(patches.filter((p) => p.slice === 'battle').map((p) => p.slice === 'battle' && p.value?.phase)).toEqual(['launching', 'running']);
    expect(patches.some((p) => p.slice === 'matchmaking' && p.value.phase !== 'battle')).toBe(false);
    const snap = alice.app.snapshot();
    expect(snap.matchmaking.phase).toBe('battle');
    expect(snap.battle).toMatchObject({ phase: 'running', host: '127.0.0.1:9002' });
    const engines = standInEngines();
    expect(engines).toHaveLength(1);
    expect(engines).not.toContain(firstPid);
  });

  it('a spawn failure tells the server no local path, and the player the whole story', async () => {
    const alice = await player('alice');
    // Discovered as executable, then made unrunnable: the spawn fails with EACCES.
    await chmod(join(engineDir, 'spring-headless'), 0o644);
    const response = await world.controls.request(alice.userId, 'battle/start', battleStart('alice'));
    expect(response).toMatchObject({ status: 'failed', reason: 'internal_error' });
    const details = 'details' in response ? (response.details ?? '') : '';
    expect(details).toMatch(/could not start the engine/);
    expect(details).not.toContain(alice.dataDir);
    expect(details).not.toContain(base);
    expect(details).not.toContain(os.homedir());
    // The player's own notice keeps the binary's path: it is their machine.
    expect(alice.app.snapshot().battle?.message).toContain(join(engineDir, 'spring-headless'));
  });
});
