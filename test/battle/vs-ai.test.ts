// The one-player playlist on the real engine: a player against a NullAI bot team, from queue to game over. The player's
// engine hosts the bot, so its console must show NullAI taking over the bot's team (it loads only if the engine's AI
// folder, Debian's /usr/lib/spring, is among its data dirs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineRegistry, writeTestContent } from '../../src-main/core/engine';
import { startRequest } from '../../src-main/core/server/autohost-fleet';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import { findLocalContent, localPlaylists, startLocalPlay, type LocalPlay } from '../../src-main/core/local-play';
import { createMemoryLogger } from '../../src-main/core/log';
import { recordLog, recordSecrets } from '../support/secret-ledger';
import type { MatchToLaunch } from '../../src-main/core/server/matchmaking';
import { connected, createWorld, waitFor, type World } from '../support/world';
import { startRealHost, type RealHost } from '../engine/real-host';

let base: string;
beforeAll(() => { base = mkdtempSync(join(tmpdir(), 'lobby-vsai-')); });
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('one player against the AI', () => {
  let world: World;
  const hosts: RealHost[] = [];
  afterAll(async () => {
    await world?.dispose();
    for (const host of hosts) await host.stop();
  });

  it('builds test content when there is none, offers vs-ai, and plays it on the real engine', async () => {
    const registry = EngineRegistry.discover();
    const version = (await registry).versions[0] ?? '';
    const content = await findLocalContent([], base);
    expect(content.builtTestContent).toBe(true);
    const playlists = localPlaylists(version, content);
    expect(playlists.map((p) => p.id)).toEqual(['1v1', 'vs-ai']);
    let request: ReturnType<typeof startRequest> | null = null;
    world = await createWorld({
      playlists,
      launcher: {
        async launch(match: MatchToLaunch) {
          request = startRequest(match);
          const host = await startRealHost(join(base, 'host'), content.contentDirs[0] ?? '', request);
          hosts.push(host);
          return { ip: '127.0.0.1', port: host.port };
        },
      },
    });
    const alice = await world.player('alice', { engine: { registry, contentDirs: content.contentDirs, binary: 'headless', runner: { tempBase: base } } });
    const consoleLines: string[] = [];
    alice.app.onPatch((patch) => {
      if (patch.slice === 'engineConsole') consoleLines.push(...patch.append);
    });
    // The AIs the player can choose for a bot, read from the engine's AI folder at start.
    const nullAi = await waitFor('NullAI listed', () => alice.app.snapshot().skirmishAis.find((ai) => ai.shortName === 'NullAI'), 20_000);
    expect(nullAi).toMatchObject({ version: '0.1', engineVersions: [version] });
    await waitFor('playlists', () => connected(alice.app) && alice.app.snapshot().matchmaking.playlists.length === 2);
    await alice.app.intents.queue(['vs-ai']);
    await waitFor('found alone', () => alice.app.snapshot().matchmaking.phase === 'found');
    await alice.app.intents.ready();
    await waitFor('engine running', () => alice.app.snapshot().engine.status === 'running', 20_000);
    expect(request).toMatchObject({ allyTeams: [{ teams: [{ players: [{ name: 'alice' }] }] }, { teams: [{ bots: [{ aiShortName: 'NullAI' }] }] }] });
    const host = hosts[0];
    if (!host) throw new Error('no host');
    await waitFor('alice in game', () => host.events.some((e) => e.type === 'player_joined'), 30_000);
    await waitFor('the game started', () => host.events.some((e) => e.type === 'start_playing'), 30_000);
    // Engine 106 prints this once the AI library is loaded and runs the team; a missing AI is "being removed from team 1".
    await waitFor('NullAI runs the bot team', () => consoleLines.some((l) => /local skirmish AI "Bot10" \(ID: \d+, Short-Name: "NullAI".*\) took over control of team 1/.test(l)), 30_000);
    // The local-play content lasts half an hour: the player leaves by stopping the engine.
    await alice.app.intents.engineStop();
    await waitFor('engine offline', () => alice.app.snapshot().engine.status === 'offline', 30_000);
    expect(alice.app.snapshot().matchmaking.phase).toBe('idle');
    expect(consoleLines.filter((l) => /unknown skirmish AI|being removed from team/i.test(l))).toEqual([]);
  }, 90_000);
});

// The same playlist as a player runs it offline: the embedded server, its local autohost writing the host script for
// spring-dedicated, and the player's engine hosting the bot.
describe('Versus AI in local play', () => {
  let play: LocalPlay | undefined;
  let app: CoreLobbyApp | undefined;
  const logger = createMemoryLogger('info');
  afterAll(async () => {
    await app?.close();
    await play?.close();
    recordLog(logger.lines);
  });

  it('plays against NullAI on the local autohost until the game ends', async () => {
    const contentDir = join(base, 'local-content');
    await writeTestContent(contentDir, { gameOverFrame: 60 });
    play = await startLocalPlay({ dataDir: join(base, 'local-play'), contentDirs: [contentDir], players: ['alice'], logger, initialNetworkTimeoutSeconds: 15 });
    const token = play.tokens.alice ?? '';
    recordSecrets(token);
    app = createLobbyApp({
      serverUrl: play.baseUrl, getToken: () => token, dataDir: join(base, 'local-alice'), logger: logger.child('alice'),
      engine: { registry: play.registry, contentDirs: [contentDir], binary: 'headless', runner: { tempBase: base } },
    });
    const lobby = app;
    const consoleLines: string[] = [];
    lobby.onPatch((patch) => {
      if (patch.slice === 'engineConsole') consoleLines.push(...patch.append);
    });
    await waitFor('autohost connected', () => play?.server.autohosts.connectedCount === 1, 20_000);
    await waitFor('vs-ai offered', () => connected(lobby) && lobby.snapshot().matchmaking.playlists.some((p) => p.id === 'vs-ai'), 20_000);
    await lobby.intents.queue(['vs-ai']);
    await waitFor('found alone', () => lobby.snapshot().matchmaking.phase === 'found', 20_000);
    await lobby.intents.ready();
    await waitFor('engine running', () => lobby.snapshot().engine.status === 'running', 30_000);
    await waitFor('the game ended and the engine left', () => lobby.snapshot().engine.status === 'offline', 60_000);
    expect(lobby.snapshot().engine.exitCode).toBe(0);
    expect(consoleLines.some((l) => /local skirmish AI "Bot10" \(ID: \d+, Short-Name: "NullAI".*\) took over control of team 1/.test(l))).toBe(true);
    expect(consoleLines.filter((l) => /unknown skirmish AI|being removed from team/i.test(l))).toEqual([]);
  }, 120_000);
});
