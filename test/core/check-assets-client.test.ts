// The lobby's answer to `matchmaking/checkAssets` against the embedded server with the content check on, with the local
// content server as the files API: a party member missing the playlist's map answers `downloading`, fetches it and is then
// paired; one whose map nobody can fetch answers `missing` and leaves the queue with the reason, the party with them; a
// request that is not one, or over the caps, is refused and changes nothing.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineRegistry, writeTestContent } from '../../src-main/core/engine';
import type { PlaylistConfig } from '../../src-main/core/server/match';
import { startContentServer, type ContentServer } from '../support/content-server';
import { connected, createWorld, waitFor, type World } from '../support/world';
import type { CoreLobbyApp } from '../../src-main/core/lobby-app';
import type { ContentFetchers } from '../../src-main/core/content';
import { IntentError } from '../../src-main/core/lobby/intents';

const GAME = 'Check Game test-1';
const duel: PlaylistConfig = { id: 'duel', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: GAME, map: 'Files Map' };
const far: PlaylistConfig = { id: 'far', name: 'Far Away', numOfTeams: 2, teamSize: 1, engine: '106.0', game: GAME, map: 'Nowhere Map' };

let files: ContentServer;
let world: World;
let root: string;
/** A test that answers for the lobby over the raw socket leaves the server an answer it never asked for. */
let allowViolations = false;
beforeEach(async () => {
  allowViolations = false;
  files = await startContentServer();
  root = await mkdtemp(path.join(os.tmpdir(), 'check-assets-'));
  world = await createWorld({
    playlists: [duel, far], sessionGraceMs: 0, assetCheck: { recheckMs: 30 },
    launcher: { launch: async () => ({ ip: '127.0.0.1', port: 8452 }), kill: async () => undefined },
  });
});
afterEach(async () => {
  await world.dispose({ allowViolations });
  await files.close();
  await rm(root, { recursive: true, force: true });
});

/** A player with the game installed, and every map of `maps`; what is missing comes from the local content server. */
async function player(name: string, maps: readonly string[], fetchers?: ContentFetchers) {
  const home = path.join(root, name);
  const installed = await writeTestContent(path.join(home, 'installed'), { format: 'sdz', gameName: GAME, mapName: 'Unplayed Map' });
  for (const [i, map] of maps.entries()) await writeTestContent(path.join(home, `map-${i}`), { format: 'sdz', gameName: 'Unrelated Game', mapName: map });
  const binary = path.join(home, 'spring-headless');
  await writeFile(binary, '#!/bin/sh\nexit 0\n');
  await chmod(binary, 0o755);
  const registry = new EngineRegistry([{ version: '106.0', binaries: { headless: binary }, dataDir: path.join(home, 'engine-data'), source: 'directory' }]);
  const downloads = path.join(home, 'content');
  const dirs = [downloads, installed.dir, ...maps.map((_, i) => path.join(home, `map-${i}`))];
  const joined = await world.player(name, {
    engine: { registry, contentDirs: dirs, binary: 'headless', runner: { tempBase: path.join(home, 'runs') } },
    content: { dir: downloads, rapidMaster: files.masterUrl, filesApi: `${files.url}/find`, manager: { throttleMs: 0 }, ...(fetchers ? { fetchers } : {}) },
  });
  await waitFor(`${name} connected with playlists`, () => connected(joined.app) && joined.app.snapshot().matchmaking.playlists.length === 2);
  return joined;
}

async function partyOf(leader: CoreLobbyApp, member: { app: CoreLobbyApp; userId: string }): Promise<void> {
  await leader.intents.createParty();
  await leader.intents.inviteToParty(member.userId);
  const invite = await waitFor('the invitation', () => member.app.snapshot().party.invitations[0]);
  await member.app.intents.acceptPartyInvite(invite.id);
  await waitFor('a party of two', () => leader.snapshot().party.current?.members.length === 2 && member.app.snapshot().party.current?.members.length === 2);
}

describe('matchmaking/checkAssets in the lobby', () => {
  it('answers downloading for a map it lacks, fetches it from the content server, and is paired once it has it', async () => {
    const source = await writeTestContent(path.join(root, 'published'), { format: 'sdz', gameName: 'Unrelated Game', mapName: 'Files Map' });
    files.publishFile('map', 'Files Map', 'files_map.sdz', await readFile(source.mapPath));
    const alice = await player('alice', ['Files Map']);
    const bob = await player('bob', []);
    await partyOf(alice.app, bob);
    await alice.app.intents.queue(['duel']);
    // Bob is queued with the party, held out of pairing until his lobby says complete; then the two are matched.
    await waitFor('both found', () => alice.app.snapshot().matchmaking.phase === 'found' && bob.app.snapshot().matchmaking.phase === 'found', 30_000);
    const bobView = bob.app.snapshot();
    expect(bobView.downloads.items).toEqual([expect.objectContaining({ kind: 'map', name: 'Files Map', state: 'done', reasons: ['for playlist Duel'] })]);
    expect(bobView.notices.map((n) => n.text)).toContain('Downloading map "Files Map" for playlist Duel.');
    // Alice had everything: nothing was fetched for her.
    expect(alice.app.snapshot().downloads.items).toEqual([]);
    expect(files.requests.filter((r) => r.url.startsWith('/find')).length).toBe(1);
  }, 60_000);

  it('answers missing once the map cannot be fetched: the member leaves the queue with the reason, and the party with them', async () => {
    const alice = await player('alice', ['Nowhere Map']);
    const carol = await player('carol', []);
    await partyOf(alice.app, carol);
    await alice.app.intents.queue(['far']);
    await waitFor('carol cancelled', () => carol.app.snapshot().matchmaking.phase === 'cancelled', 30_000);
    const texts = carol.app.snapshot().notices.map((n) => n.text);
    expect(texts).toContain('Not everything Far Away needs is here: map "Nowhere Map" could not be downloaded: the files API knows no map "Nowhere Map".');
    expect(texts).toContain('Matchmaking stopped. The server said: carol does not have everything Far Away needs, and it cannot be downloaded.');
    await waitFor('alice out of the queue', () => alice.app.snapshot().matchmaking.phase === 'cancelled');
    expect(alice.app.snapshot().notices.at(-1)?.text).toBe('A party member left, so the party left the queue.');
    expect(world.server.matchmaker.queuedUserIds('far')).toEqual([]);
  }, 60_000);

  it('answers missing at once when it has no way to fetch a map: the leader\'s queue is refused party_missing_asset, in words', async () => {
    const alice = await player('alice', ['Nowhere Map']);
    const dave = await player('dave', [], { map: undefined });
    await partyOf(alice.app, dave);
    const error = await alice.app.intents.queue(['far']).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(IntentError);
    expect((error as IntentError).message).toBe(
      'Not queued: someone in your party does not have everything the playlist needs. The server said: dave does not have everything Far Away needs, and it cannot be downloaded.',
    );
    expect(dave.app.snapshot().notices.at(-1)?.text).toBe('Not everything Far Away needs is here: this lobby cannot download map "Nowhere Map".');
    expect([alice.app.snapshot().matchmaking.phase, dave.app.snapshot().matchmaking.phase]).toEqual(['idle', 'idle']);
    expect(dave.app.snapshot().downloads.items).toEqual([]);
    expect(world.server.matchmaker.queuedUserIds('far')).toEqual([]);
  }, 60_000);

  it('refuses a request that is not one or is over the caps, and keeps the session, the queue and the downloads as they were', async () => {
    const alice = await player('alice', ['Files Map']);
    await alice.app.intents.queue(['duel']);
    await waitFor('queued', () => alice.app.snapshot().matchmaking.phase === 'queued');
    const [session] = world.server.sessionsOf(alice.userId);
    const valid = { queueId: 'duel', version: '1', engines: ['106.0'], game: GAME, maps: ['Files Map'] };
    const overCaps = [
      { ...valid, maps: Array.from({ length: 65 }, (_, i) => `Map ${i}`) },
      { ...valid, engines: Array.from({ length: 9 }, (_, i) => `106.${i}`) },
      { ...valid, game: 'g'.repeat(129) },
      { ...valid, maps: ['Files Map\nrm -rf'] },
      { ...valid, queueId: '' },
    ];
    for (const data of overCaps) {
      expect(await session!.endpoint.request('matchmaking/checkAssets', data)).toMatchObject({ status: 'failed', reason: 'invalid_request' });
    }
    // Not the schema's shape at all (no maps, a number for the game): refused by the schema check before anyone looks.
    const answers: Record<string, unknown>[] = [];
    session!.socket.on('message', (raw: Buffer) => answers.push(JSON.parse(raw.toString()) as Record<string, unknown>));
    allowViolations = true;
    session!.socket.send(JSON.stringify({ type: 'request', messageId: 'h1', commandId: 'matchmaking/checkAssets', data: { queueId: 'duel', version: '1', engines: [], game: 7 } }));
    await waitFor('the refusal', () => answers.find((a) => a.messageId === 'h1'));
    expect(answers.find((a) => a.messageId === 'h1')).toMatchObject({ type: 'response', status: 'failed', reason: 'invalid_request' });
    const view = alice.app.snapshot();
    expect([view.connection.phase, view.matchmaking.phase, view.downloads.items.length]).toEqual(['connected', 'queued', 0]);
    expect(files.requests).toEqual([]);
    // The same lobby still answers a real question.
    expect(await session!.endpoint.request('matchmaking/checkAssets', valid)).toMatchObject({ status: 'success', data: { assetStatus: 'complete' } });
  }, 60_000);
});
