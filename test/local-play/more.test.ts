// Local play's other paths on the real engine: one player against the AI through the local autohost, and an autohost that dies mid-battle.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeTestContent } from '../../src-main/core/engine';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import { startLocalPlay, type LocalPlay } from '../../src-main/core/local-play';
import { waitFor } from '../support/world';
import { controlsOf } from '../support/server-controls';

let base: string;
let play: LocalPlay | null = null;
const apps: CoreLobbyApp[] = [];
beforeEach(() => { base = mkdtempSync(join(tmpdir(), 'lobby-local-more-')); });
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await play?.close();
  play = null;
  rmSync(base, { recursive: true, force: true });
});

async function player(p: LocalPlay, name: string, contentDir: string): Promise<CoreLobbyApp> {
  const token = p.tokenFor(name);
  const app = createLobbyApp({
    serverUrl: p.baseUrl, getToken: () => token, dataDir: join(base, name),
    engine: { registry: p.registry, contentDirs: [contentDir], binary: 'headless', runner: { tempBase: base, stopGraceMs: 2_000 } },
  });
  apps.push(app);
  await waitFor('connected with playlists', () => app.snapshot().connection.phase === 'connected' && app.snapshot().matchmaking.playlists.length === 2, 10_000);
  return app;
}

describe('local play', () => {
  it('plays the one-player playlist against NullAI on the local autohost', async () => {
    const contentDir = join(base, 'content');
    await writeTestContent(contentDir, { gameOverFrame: 60 });
    play = await startLocalPlay({ dataDir: join(base, 'play'), contentDirs: [contentDir] });
    controlsOf(play.server); // before any battle, so it records every update
    const updates: string[] = [];
    play.forwardBattleUpdates((patch) => { if (patch.slice === 'battleUpdates') updates.push(...patch.append.map((u) => u.type)); });
    const alice = await player(play, 'alice', contentDir);
    await alice.intents.queue(['vs-ai']);
    await waitFor('found', () => alice.snapshot().matchmaking.phase === 'found', 10_000);
    await alice.intents.ready();
    const server = play.server;
    const describe = () => `engine ${JSON.stringify({ ...alice.snapshot().engine, console: alice.snapshot().engine.console.slice(-5) })}; updates ${JSON.stringify(controlsOf(server).updates.map((u) => u.update.type))}`;
    await waitFor('engine exited', () => alice.snapshot().engine.status === 'offline' && alice.snapshot().engine.exitCode !== null, 60_000).catch((e: Error) => { throw new Error(`${e.message}: ${describe()}`); });
    expect(alice.snapshot().engine.exitCode).toBe(0);
    await waitFor('engine quit update', () => updates.includes('engine_quit'), 20_000);
    expect(updates).toEqual(expect.arrayContaining(['player_joined', 'start', 'finished', 'engine_quit']));
  }, 90_000);

  it('ends the battle for the server when the autohost dies mid-battle and does not come back', async () => {
    const contentDir = join(base, 'content');
    await writeTestContent(contentDir, { gameOverFrame: 30 * 120 });
    play = await startLocalPlay({ dataDir: join(base, 'play'), contentDirs: [contentDir], autohostReconnectGraceMs: 500 });
    controlsOf(play.server); // before any battle, so it records every update
    const alice = await player(play, 'alice', contentDir);
    const bob = await player(play, 'bob', contentDir);
    await Promise.all([alice.intents.queue(['1v1']), bob.intents.queue(['1v1'])]);
    await waitFor('found', () => [alice, bob].every((a) => a.snapshot().matchmaking.phase === 'found'), 10_000);
    await Promise.all([alice.intents.ready(), bob.intents.ready()]);
    const server = play.server;
    await waitFor('game started', () => controlsOf(server).updates.some((u) => u.update.type === 'start'), 30_000);
    const aliceId = alice.snapshot().self?.userId ?? '';
    expect(server.community.statusOf(aliceId)).toBe('playing');
    await play.autohost?.close(); // the autohost and its engines are gone
    await waitFor('alice back in the menu on the server', () => server.community.statusOf(aliceId) === 'menu', 10_000);
    // The players' engines notice the host is gone only after their own network timeout; the lobby does not wait for that.
    // Both can queue again at once.
    await alice.intents.queue(['1v1']);
    expect(alice.snapshot().matchmaking.phase).toBe('queued');
  }, 120_000);
});
