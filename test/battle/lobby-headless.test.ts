// Custom battles end to end offline: the embedded server with its lobbies, the local autohost on spring-dedicated, and
// the real headless client processes (or the lobby core where a test must act itself) on the real engine. Each battle is
// the tiny test game, which ends by itself after two seconds of play.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AutohostStartRequestData } from 'tachyon-protocol/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_GAME_NAME, TEST_MAP_NAME } from '../../src-main/core/engine';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import { createMemoryLogger } from '../../src-main/core/log';
import { createWorld, ENGINE_VERSION, serverUpdates, type AutohostWorld } from '../autohost/support';
import { spawnHeadless, type HeadlessProcess } from '../support/headless-process';
import { recordLog, recordSecrets } from '../support/secret-ledger';
import { connected, waitFor } from '../support/world';

type LobbyRecord = {
  kind: 'lobby'; state: 'joined' | 'left'; id: string | null; name: string;
  players: { userId: string; allyTeam: string }[]; bots: { shortName: string; allyTeam: string }[]; battle: { id: string } | null;
};

let world: AutohostWorld;
let base: string;
const runs: HeadlessProcess[] = [];
const apps: CoreLobbyApp[] = [];
const requests: AutohostStartRequestData[] = [];
const logs: string[][] = [];

beforeAll(async () => {
  world = await createWorld({}, { rateLimit: null, lobbies: { engine: ENGINE_VERSION, game: TEST_GAME_NAME, listFlushMs: 50 } });
  base = mkdtempSync(join(tmpdir(), 'lobby-headless-'));
  // Keeps what each lobby asks the autohost (the real fleet still hosts it).
  const fleet = world.server.autohosts;
  const host = fleet.host.bind(fleet);
  fleet.host = async (request) => {
    requests.push(structuredClone(request));
    // The battle's passwords: the secret grep checks no headless output (engine console included) shows one.
    const seats = request.allyTeams.flatMap((at) => at.teams.flatMap((t) => t.players ?? []));
    recordSecrets(...[...seats, ...(request.spectators ?? [])].map((p) => p.password));
    return host(request);
  };
}, 60_000);

afterEach(async () => {
  for (const run of runs) run.child.kill('SIGTERM');
  await Promise.all(runs.map((run) => run.exited));
  for (const run of runs.splice(0)) recordLog([...run.stdout, ...run.stderr.join('').split('\n')]);
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

afterAll(async () => {
  for (const lines of logs) recordLog(lines);
  await world?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

let dirs = 0;
const dataDir = (name: string) => join(base, `${name}-${dirs++}`);

/** A headless client signed in as a new player, its engine the system's spring-headless with the test content. */
function headless(name: string, args: readonly string[]): { run: HeadlessProcess; userId: string } {
  const { userId, token } = world.server.addPlayer(name);
  recordSecrets(token);
  const run = spawnHeadless(['--server', world.server.baseUrl, '--json', '--data-dir', dataDir(name), '--content', world.contentDir, '--log-level', 'debug', ...args],
    { TACHYON_TOKEN: token, DISPLAY: '', WAYLAND_DISPLAY: '' });
  runs.push(run);
  return { run, userId };
}

/** The lobby core as a player, with the same engine and content: for a test that must act at a chosen moment. */
function corePlayer(name: string): { app: CoreLobbyApp; userId: string } {
  const { userId, token } = world.server.addPlayer(name);
  recordSecrets(token);
  const logger = createMemoryLogger();
  const app = createLobbyApp({
    serverUrl: world.server.baseUrl, getToken: () => token, dataDir: dataDir(name), logger,
    connection: { backoff: { baseMs: 50, capMs: 500 } },
    engine: { registry: Promise.resolve(world.registry), contentDirs: [world.contentDir], binary: 'headless', runner: { tempBase: join(base, 'runs') } },
  });
  apps.push(app);
  logs.push(logger.lines);
  return { app, userId };
}

const lobbyRecords = (run: HeadlessProcess) => run.records().filter((r): r is LobbyRecord & Record<string, unknown> => r.kind === 'lobby');
const lastLobby = (run: HeadlessProcess) => lobbyRecords(run).at(-1);
const engineRecords = (run: HeadlessProcess) => run.records().filter((r) => r.kind === 'engine') as { status: string; exitCode: number | null }[];
const stderrText = (run: HeadlessProcess) => run.stderr.join('');

/** A run's battle: its lobby record showed a battle, and a later one shows none (the lobby heard the battle ended). */
function backFromBattle(run: HeadlessProcess): boolean {
  const records = lobbyRecords(run);
  const started = records.findIndex((r) => r.battle !== null);
  return started >= 0 && records.slice(started + 1).some((r) => r.state === 'joined' && r.battle === null);
}

const engineExited = (run: HeadlessProcess) => engineRecords(run).some((r) => r.status === 'offline' && r.exitCode !== null);

describe('custom battles through headless clients on the embedded server and the real engine', () => {
  it('one creates, the other joins, the creator starts; both play the game to its end and are back in the lobby', async () => {
    const alice = headless('alice', ['--lobby-create', 'Duel', '--lobby-map', TEST_MAP_NAME, '--lobby-start-when', '2']);
    const bob = headless('bob', ['--lobby-join', 'Duel']);
    await waitFor('both in the lobby, the battle running', () => [alice, bob].every(({ run }) => lobbyRecords(run).some((r) => r.battle !== null)), 60_000);
    const lobbyId = lastLobby(alice.run)?.id;
    expect(lastLobby(bob.run)?.id).toBe(lobbyId);
    const request = requests.at(-1);
    expect(request).toMatchObject({ engineVersion: ENGINE_VERSION, gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME });
    expect(request?.allyTeams.flatMap((at) => at.teams.flatMap((t) => t.players?.map((p) => p.userId) ?? [])).sort()).toEqual([alice.userId, bob.userId].sort());
    const battleId = request?.battleId ?? '';
    const updates = () => serverUpdates(world.server, battleId).map((u) => u.update);
    const joined = () => new Set(updates().flatMap((u) => (u.type === 'player_joined' ? [u.userId] : [])));
    await waitFor('both engines in spring-dedicated', () => joined().has(alice.userId) && joined().has(bob.userId), 60_000);
    await waitFor('the game to end', () => updates().some((u) => u.type === 'engine_quit'), 60_000);
    await waitFor('both back in the lobby with no battle', () => backFromBattle(alice.run) && backFromBattle(bob.run), 30_000);
    await waitFor('both engines to exit', () => engineExited(alice.run) && engineExited(bob.run), 30_000);
    for (const { run, userId } of [alice, bob]) {
      expect(engineRecords(run).map((r) => r.status)).toEqual(expect.arrayContaining(['running', 'offline']));
      expect(engineRecords(run).at(-1)?.exitCode).toBe(0);
      expect(lastLobby(run)).toMatchObject({ state: 'joined', id: lobbyId, name: 'Duel', battle: null });
      expect(lastLobby(run)?.players.map((p) => p.userId).sort()).toEqual([alice.userId, bob.userId].sort());
      expect(world.server.lobbies.isInBattle(userId)).toBe(false);
    }
  }, 150_000);

  it('plays a player alone against a --lobby-bot NullAI, which the player\'s engine loads and runs', async () => {
    const carol = headless('carol', ['--lobby-create', 'Versus', '--lobby-map', TEST_MAP_NAME, '--lobby-bot', 'NullAI', '--lobby-start-when', '1']);
    await waitFor('the battle running', () => lobbyRecords(carol.run).some((r) => r.battle !== null), 60_000);
    expect(lobbyRecords(carol.run).find((r) => r.battle !== null)).toMatchObject({ bots: [{ shortName: 'NullAI', allyTeam: '1' }], players: [{ userId: carol.userId, allyTeam: '0' }] });
    expect(requests.at(-1)).toMatchObject({ allyTeams: [{ teams: [{ players: [{ userId: carol.userId }] }] }, { teams: [{ bots: [{ hostUserId: carol.userId, aiShortName: 'NullAI' }] }] }] });
    await waitFor('back in the lobby with no battle', () => backFromBattle(carol.run), 90_000);
    await waitFor('the engine to exit', () => engineExited(carol.run), 30_000);
    expect(engineRecords(carol.run).at(-1)?.exitCode).toBe(0);
    // Engine 106 prints this once the AI library is loaded and runs the team; a missing AI is "unknown skirmish AI".
    const tookOver = /local skirmish AI ".*" \(ID: \d+, Short-Name: "NullAI".*\) took over control of team 1/;
    // stderr is its own pipe: it may trail the stdout records by a read.
    await waitFor('NullAI in the engine log', () => tookOver.test(stderrText(carol.run)), 30_000);
    expect(stderrText(carol.run)).not.toMatch(/unknown skirmish AI|being removed from team/i);
  }, 150_000);

  it('sends battle/start to a spectator, whose engine watches the battle', async () => {
    const dave = corePlayer('dave');
    await waitFor('dave connected', () => connected(dave.app), 20_000);
    const { lobbyId } = await dave.app.intents.createLobby({ name: 'Watched', mapName: TEST_MAP_NAME, allyTeams: 2, teamSize: 1, bossesEnabled: false });
    await dave.app.intents.addBot({ allyTeam: '1', shortName: 'NullAI' });
    // Both sides are full: the joiner stays a spectator.
    const erin = headless('erin', ['--lobby-join', 'Watched']);
    await waitFor('erin spectating', () => dave.app.snapshot().lobby?.spectators[erin.userId], 60_000);
    await waitFor('erin\'s lobby record', () => lastLobby(erin.run)?.id === lobbyId, 30_000);
    expect(lastLobby(erin.run)?.players.map((p) => p.userId)).toEqual([dave.userId]);
    await dave.app.intents.startLobbyBattle();
    await waitFor('erin got battle/start', () => erin.run.records().some((r) => r.kind === 'battle' && r.phase === 'running'), 60_000);
    const request = requests.at(-1);
    // In the host script erin is a spectator only: spring-dedicated admits her engine under that name, and no other.
    expect(request?.spectators?.map((s) => s.userId)).toEqual([erin.userId]);
    expect(request?.allyTeams.flatMap((at) => at.teams.flatMap((t) => t.players?.map((p) => p.userId) ?? []))).toEqual([dave.userId]);
    const battleId = request?.battleId ?? '';
    const updates = () => serverUpdates(world.server, battleId).map((u) => u.update);
    await waitFor('the spectator\'s engine in spring-dedicated', () => updates().some((u) => u.type === 'player_joined' && u.userId === erin.userId), 60_000);
    await waitFor('the game to end', () => updates().some((u) => u.type === 'engine_quit'), 60_000);
    await waitFor('erin\'s engine to exit', () => engineExited(erin.run), 30_000);
    expect(engineRecords(erin.run).at(-1)?.exitCode).toBe(0);
    await waitFor('erin back in the lobby with no battle', () => backFromBattle(erin.run), 30_000);
  }, 150_000);

  it('keeps the room and the list right across a reconnect', async () => {
    const frank = corePlayer('frank');
    const watcher = corePlayer('gina');
    await waitFor('connected', () => connected(frank.app) && connected(watcher.app), 20_000);
    await watcher.app.intents.watchLobbies();
    const { lobbyId } = await frank.app.intents.createLobby({ name: 'Steady', mapName: TEST_MAP_NAME, allyTeams: 2, teamSize: 1, bossesEnabled: false });
    const hank = headless('hank', ['--lobby-join', 'Steady']);
    await waitFor('hank seated', () => lastLobby(hank.run)?.players.length === 2, 60_000);
    await waitFor('the list shows two players', () => watcher.app.snapshot().lobbies.entries[lobbyId]?.playerCount === 2, 20_000);
    const before = lobbyRecords(hank.run).length;
    const connections = () => hank.run.records().filter((r) => r.kind === 'connection').length;
    const connectionsBefore = connections();

    // Both drop as a broken network drops them (no close frame), and come back by themselves.
    for (const userId of [hank.userId, watcher.userId]) for (const { socket } of world.server.sessionsOf(userId)) socket.terminate();
    await waitFor('hank reconnected', () => connections() > connectionsBefore + 1 && hank.run.records().filter((r) => r.kind === 'connection').at(-1)?.state === 'connected', 30_000);
    await waitFor('the watcher reconnected', () => connected(watcher.app) && watcher.app.snapshot().lobbies.loaded, 30_000);
    // Still the same lobby with the same members: never a `left` in between.
    expect(lobbyRecords(hank.run).slice(before).filter((r) => r.state === 'left')).toEqual([]);
    expect(lastLobby(hank.run)).toMatchObject({ state: 'joined', id: lobbyId, name: 'Steady' });
    expect(lastLobby(hank.run)?.players.map((p) => p.userId).sort()).toEqual([frank.userId, hank.userId].sort());
    expect(watcher.app.snapshot().lobbies).toMatchObject({ watching: true, entries: { [lobbyId]: { name: 'Steady', playerCount: 2 } } });

    // And both are live again: the room hears a change, the list a new lobby.
    await frank.app.intents.leaveLobby();
    await waitFor('hank sees frank leave', () => lastLobby(hank.run)?.players.map((p) => p.userId).join() === hank.userId, 20_000);
    const ivy = corePlayer('ivy');
    await waitFor('ivy connected', () => connected(ivy.app), 20_000);
    const later = await ivy.app.intents.createLobby({ name: 'Later', mapName: TEST_MAP_NAME, allyTeams: 2, teamSize: 1, bossesEnabled: false });
    await waitFor('the watcher sees the new lobby', () => watcher.app.snapshot().lobbies.entries[later.lobbyId]?.name === 'Later', 20_000);
    await waitFor('the watcher sees Steady with one player', () => watcher.app.snapshot().lobbies.entries[lobbyId]?.playerCount === 1, 20_000);
  }, 120_000);
});
