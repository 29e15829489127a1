// First start: a lobby with an empty data dir fetches the default playlist's engine, game and map as soon as the server
// lists its playlists, without any intent, each download noted "to play <playlist>"; a queue at once waits for the same
// downloads (nothing is fetched twice) and goes out when they are done. Off unless asked: a lobby without fetchOnStart
// fetches nothing on start. Through the lobby factory too (the app's wiring, with the settings' content addresses).
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLobbyFactory } from '../../src-main/app/lobby-factory';
import { EngineRegistry, writeTestContent } from '../../src-main/core/engine';
import { silentLogger } from '../../src-main/core/log';
import type { PlaylistConfig } from '../../src-main/core/server/match';
import { pack7z } from '../support/seven-zip-pack';
import { connected, createWorld, waitFor, type World } from '../support/world';
import { contentWorld, GAME_NAME, poolUrlPath, type ContentWorld } from './fixtures';

const GAME = `${GAME_NAME} test-1`;
const ENGINE = '2025.01.6';
const fresh: PlaylistConfig = { id: 'fresh', name: 'Fresh Install', numOfTeams: 2, teamSize: 1, botSides: 1, engine: ENGINE, game: GAME, map: 'Files Map' };
const other: PlaylistConfig = { ...fresh, id: 'other', name: 'Other', map: 'Other Map' };

let content: ContentWorld;
let world: World;
let root: string;
beforeEach(async () => {
  content = await contentWorld();
  root = await mkdtemp(path.join(os.tmpdir(), 'first-start-'));
  const source = await writeTestContent(path.join(root, 'map-src'), { mapName: 'Files Map' });
  await pack7z(source.mapPath, path.join(root, 'files_map.sd7'), { solid: false });
  content.server.publishFile('map', 'Files Map', 'files_map.sd7', await readFile(path.join(root, 'files_map.sd7')));
  // A small engine release: a stand-in spring-headless is all the install checks need.
  const engine = path.join(root, 'engine-src');
  await mkdir(engine);
  await writeFile(path.join(engine, 'spring-headless'), '#!/bin/sh\nexit 0\n');
  await chmod(path.join(engine, 'spring-headless'), 0o755);
  await pack7z(engine, path.join(root, 'engine.7z'));
  content.server.publishFile('engine_linux64', ENGINE, 'recoil_2025.01.6_amd64-linux.7z', await readFile(path.join(root, 'engine.7z')));
  world = await createWorld({ playlists: [fresh, other], readyTimeoutMs: 20_000, launcher: { launch: async () => ({ ip: '127.0.0.1', port: 8452 }), kill: async () => undefined } });
});
afterEach(async () => {
  await world.dispose();
  await content.dispose();
  await rm(root, { recursive: true, force: true });
});

function lobbyOptions(dir: string, fetchOnStart: boolean) {
  return {
    engine: { registry: new EngineRegistry([]), contentDirs: [dir], binary: 'headless' as const, runner: { tempBase: path.join(root, 'runs') } },
    content: { dir, rapidMaster: content.server.masterUrl, filesApi: `${content.server.url}/find`, manager: { throttleMs: 0 }, fetchOnStart },
  };
}

describe('first start', () => {
  it('fetches the default playlist\'s engine, game and map on connect; a queue at once waits for them and goes out after', async () => {
    // Off unless asked: connected with playlists, nothing is fetched.
    const idle = await world.player('bob', lobbyOptions(path.join(root, 'bob-content'), false));
    await waitFor('bob connected with playlists', () => connected(idle.app) && idle.app.snapshot().matchmaking.playlists.length === 2);
    expect(idle.app.snapshot().downloads.items).toEqual([]);
    expect(content.server.requests).toEqual([]);

    // The engine archive and a pool file held halfway (two downloads run at once; the map waits its turn): the
    // downloads are seen under way before anything is asked.
    const held = [`/engine/${ENGINE}/recoil_2025.01.6_amd64-linux.7z`, poolUrlPath('byar', [...content.v1.pool.keys()][0]!)];
    for (const p of held) content.server.faults.held.add(p);
    const alice = await world.player('alice', lobbyOptions(path.join(root, 'alice-content'), true));
    await Promise.all(held.map((p) => content.server.waitHeld(p)));
    const during = alice.app.snapshot();
    expect(during.matchmaking.phase).toBe('idle');
    expect(during.downloads.items.map((i) => `${i.kind} ${i.name}`).sort()).toEqual([`engine ${ENGINE}`, 'game ' + GAME, 'map Files Map']);
    expect(during.downloads.items.every((i) => i.reasons.join() === 'to play Fresh Install')).toBe(true);
    expect(during.downloads.items.map((i) => `${i.kind} ${i.state}`).sort()).toEqual(['engine downloading', 'game downloading', 'map queued']);
    expect(during.notices.map((n) => n.text)).toContain(`Downloading engine "${ENGINE}", game "${GAME}", map "Files Map" to play Fresh Install.`);
    // Only the default (first) playlist: the other one's map is not asked for.
    expect(content.server.requests.some((r) => r.url.includes('Other'))).toBe(false);

    // The player queues at once: not queued while the game is still coming, then queued.
    const queued = alice.app.intents.queue(['fresh']);
    await waitFor('the queue joined the running downloads', () => alice.app.snapshot().downloads.items.every((i) => i.reasons.includes('for playlist Fresh Install')));
    expect(alice.app.snapshot().matchmaking.phase).toBe('idle');
    content.server.faults.held.clear();
    for (const p of held) content.server.release(p);
    await queued;
    expect(['queued', 'found']).toContain(alice.app.snapshot().matchmaking.phase);
    const items = alice.app.snapshot().downloads.items;
    expect(items.map((i) => `${i.kind} ${i.state}`).sort()).toEqual(['engine done', 'game done', 'map done']);
    for (const i of items) expect(i, i.kind).toMatchObject({ reasons: ['to play Fresh Install', 'for playlist Fresh Install'], bytesDone: i.bytesTotal });
    // Each file was fetched once: the queue joined the first-start downloads.
    expect(content.server.requestsFor('/maps/files_map.sd7').filter((r) => r.method === 'GET')).toHaveLength(1);
  }, 60_000);

  it('through the lobby factory: with fetchOnStart and the settings\' (local) content addresses, a remote server\'s default playlist is fetched on connect', async () => {
    const { token } = world.server.addPlayer('carol');
    const dataDir = path.join(root, 'carol');
    const factory = createLobbyFactory({
      defaultDataDir: dataDir, readToken: (url) => (url === world.server.baseUrl ? token : null), logger: silentLogger, localPlayerName: 'carol',
      engineBinary: 'headless', content: { manager: { throttleMs: 0 } }, fetchOnStart: true,
    });
    const app = await factory({ serverUrl: world.server.baseUrl, enginePaths: [], dataDir: null, rapidMaster: content.server.masterUrl, filesApi: `${content.server.url}/find` });
    try {
      await waitFor('the default playlist fetched', () => {
        const items = app.snapshot().downloads.items;
        return items.length === 3 && items.every((i) => i.state === 'done') && items;
      }, 30_000);
      expect(app.snapshot().downloads.items.map((i) => `${i.kind} ${i.name} ${i.reasons.join()}`).sort())
        .toEqual([`engine ${ENGINE} to play Fresh Install`, `game ${GAME} to play Fresh Install`, 'map Files Map to play Fresh Install']);
      expect(app.snapshot().matchmaking.phase).toBe('idle');
    } finally {
      await app.close();
    }
  }, 60_000);
});
