// Queue-ready through the lobby app on the embedded server: the playlist's game (a rapid package on the local content
// server) is fetched before matchmaking/queue goes out; a battle/start naming a game deleted since is fetched again and
// then launched; content nobody can fetch means "not queued", in words. The engine is a stand-in that exits 0.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { EngineRegistry, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import { makeEngineArchive } from '../support/engine-archive';
import { pack7z } from '../support/seven-zip-pack';
import { IntentError } from '../../src-main/core/lobby/intents';
import type { PlaylistConfig } from '../../src-main/core/server/match';
import { connected, createWorld, waitFor, type World } from '../support/world';
import { contentWorld, GAME_NAME, poolUrlPath, type ContentWorld } from './fixtures';

const GAME = `${GAME_NAME} test-1`;
const vsAi: PlaylistConfig = { id: 'vs-ai', name: 'Versus AI', numOfTeams: 2, teamSize: 1, botSides: 1, engine: '106.0', game: GAME, map: TEST_MAP_NAME };
const fresh: PlaylistConfig = { id: 'fresh', name: 'Fresh Install', numOfTeams: 2, teamSize: 1, botSides: 1, engine: '106.0', game: GAME, map: 'Files Map' };
const far: PlaylistConfig = { id: 'far', name: 'Far Away', numOfTeams: 2, teamSize: 1, botSides: 1, engine: '106.0', game: GAME, map: 'Nowhere Map' };

let content: ContentWorld;
let world: World;
let root: string;
beforeEach(async () => {
  content = await contentWorld();
  root = await mkdtemp(path.join(os.tmpdir(), 'queue-ready-'));
  world = await createWorld({ playlists: [vsAi, far, fresh], readyTimeoutMs: 20_000, launcher: { launch: async () => ({ ip: '127.0.0.1', port: 8452 }), kill: async () => undefined } });
});
afterEach(async () => {
  await world.dispose();
  await content.dispose();
  await rm(root, { recursive: true, force: true });
});

async function player() {
  // The map is installed (as a player would have it), the game is not: only the content server has it.
  const maps = await writeTestContent(path.join(root, 'maps'), { format: 'sdz', gameName: 'Unrelated Game' });
  const binary = path.join(root, 'spring-headless');
  await writeFile(binary, '#!/bin/sh\necho "stand-in engine"\nexit 0\n');
  await chmod(binary, 0o755);
  const registry = new EngineRegistry([{ version: '106.0', binaries: { headless: binary }, dataDir: path.join(root, 'engine-data'), source: 'directory' }]);
  const downloads = path.join(root, 'content');
  const alice = await world.player('alice', {
    engine: { registry, contentDirs: [downloads, maps.dir], binary: 'headless', runner: { tempBase: path.join(root, 'runs') } },
    content: { dir: downloads, rapidMaster: content.server.masterUrl, filesApi: `${content.server.url}/find`, manager: { throttleMs: 0 } },
  });
  await waitFor('connected with playlists', () => connected(alice.app) && alice.app.snapshot().matchmaking.playlists.length === 3);
  return alice;
}

describe('queue-ready', () => {
  it('fetches the playlist\'s game before queueing, and a battle/start naming it after a delete fetches it again, then launches', async () => {
    const alice = await player();
    const [firstPool] = [...content.v1.pool.keys()];
    const held = poolUrlPath('byar', firstPool!);
    content.server.faults.held.add(held);
    const queued = alice.app.intents.queue(['vs-ai']);
    await content.server.waitHeld(held);
    // Downloading, not queued yet: the Play view shows the item and why.
    const during = alice.app.snapshot();
    expect(during.matchmaking.phase).toBe('idle');
    expect(during.downloads.items).toEqual([expect.objectContaining({ kind: 'game', name: GAME, state: 'downloading', reasons: ['for playlist Versus AI'] })]);
    expect(during.notices.at(-1)?.text).toBe(`Downloading game "${GAME}" for playlist Versus AI.`);
    content.server.faults.held.clear();
    content.server.release(held);
    await queued;
    // One player against the AI: matched at once.
    expect(['queued', 'found']).toContain(alice.app.snapshot().matchmaking.phase);
    expect(alice.app.snapshot().downloads.items[0]).toMatchObject({ state: 'done', bytesDone: content.v1.files.reduce((s, f) => s + f.size, 0) });

    // The player deletes the game from the Library while matched; the battle/start brings it back.
    await waitFor('found', () => alice.app.snapshot().matchmaking.phase === 'found', 10_000);
    await alice.app.intents.refreshLibrary();
    const entry = alice.app.snapshot().library.entries.find((e) => e.name === GAME);
    expect(entry).toMatchObject({ kind: 'game', deletable: true });
    await alice.app.intents.deleteContent(entry!.id);
    expect(alice.app.snapshot().library.entries.map((e) => e.name)).not.toContain(GAME);
    await alice.app.intents.ready();
    await waitFor('the battle ran', () => alice.app.snapshot().engine.console.includes('stand-in engine'), 30_000);
    const after = alice.app.snapshot();
    expect(after.downloads.items[0]).toMatchObject({ name: GAME, state: 'done', reasons: ['for playlist Versus AI', 'for the battle'] });
    expect(after.notices.map((n) => n.text)).toContain(`Downloading game "${GAME}" for the battle.`);
    expect(after.battle).toMatchObject({ game: GAME });
    expect(after.battle?.phase).not.toBe('failed');
  }, 60_000);

  it('does not queue when the playlist names content nobody can fetch, and says what', async () => {
    const alice = await player();
    const error = await alice.app.intents.queue(['far']).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(IntentError);
    expect((error as IntentError).code).toBe('not_available');
    expect((error as IntentError).message).toBe('Not queued: map "Nowhere Map" could not be downloaded: the files API knows no map "Nowhere Map".');
    expect(alice.app.snapshot().matchmaking.phase).toBe('idle');
    expect(alice.app.snapshot().downloads.items.map((i) => [i.name, i.state]).sort()).toEqual([['Nowhere Map', 'failed'], [GAME, 'done']].sort());
  }, 60_000);
});

describe('queue-ready through the files API', () => {
  it('fetches a missing engine and map before queueing; the engine registry then has the downloaded engine, and the Library lists both', async () => {
    // The map as an .sd7 (named as the files API names it) and an engine archive made from the installed engine.
    const source = await writeTestContent(path.join(root, 'map-src'), { mapName: 'Files Map' });
    await pack7z(source.mapPath, path.join(root, 'files_map.sd7'), { solid: false });
    content.server.publishFile('map', 'Files Map', 'files_map.sd7', await readFile(path.join(root, 'files_map.sd7')));
    content.server.publishFile('engine_linux64', '106.0', 'recoil_106.0_amd64-linux.7z', (await makeEngineArchive(path.join(root, 'engine-work'))).archive);
    const downloads = path.join(root, 'content');
    const alice = await world.player('alice', {
      engine: { registry: new EngineRegistry([]), contentDirs: [downloads], binary: 'headless', runner: { tempBase: path.join(root, 'runs') } },
      content: { dir: downloads, rapidMaster: content.server.masterUrl, filesApi: `${content.server.url}/find`, manager: { throttleMs: 0 } },
    });
    await waitFor('connected with playlists', () => connected(alice.app) && alice.app.snapshot().matchmaking.playlists.length === 3);
    await alice.app.intents.queue(['fresh']);
    expect(['queued', 'found']).toContain(alice.app.snapshot().matchmaking.phase);
    const items = alice.app.snapshot().downloads.items;
    expect(items.map((i) => `${i.kind} ${i.name} ${i.state}`).sort()).toEqual(['engine 106.0 done', `game ${GAME} done`, 'map Files Map done']);
    expect(items.every((i) => i.reasons.join() === 'for playlist Fresh Install' && i.bytesTotal !== null && i.bytesDone === i.bytesTotal)).toBe(true);
    await alice.app.intents.refreshLibrary();
    const library = alice.app.snapshot().library.entries;
    expect(library.find((e) => e.kind === 'engine')).toMatchObject({ name: '106.0', format: 'engine folder', deletable: true });
    expect(library.find((e) => e.kind === 'map')).toMatchObject({ name: 'files_map', format: '.sd7 archive', deletable: true });
    // Asked again, everything is there: nothing is fetched.
    const before = content.server.requests.length;
    await alice.app.intents.cancelQueue();
    await alice.app.intents.queue(['fresh']);
    expect(content.server.requests.length).toBe(before);
  }, 120_000);
});
