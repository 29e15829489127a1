// The headless client in custom lobbies: the driver's steps from plain state, the `lobby` records, and the real process
// against a scripted Teiserver-like peer (create with a bot and start when enough players are in; join by name from the list).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HeadlessLobbyDriver, findLobby, type LobbyScene } from '../../src-main/cli/headless-lobby';
import { HeadlessReport, humanLine } from '../../src-main/cli/headless-report';
import { initialSnapshot, type LobbiesView, type LobbyRoomView } from '../../src-main/core/lobby/state';
import { roomFromDetails } from '../../src-main/core/lobby/custom-lobby-reducer';
import { spawnHeadless, type HeadlessProcess } from '../support/headless-process';
import { startScriptedPeer, teiserverPlaylists, teiserverSelf, type ScriptedConnection, type ScriptedPeer } from '../support/scripted-peer';
import { waitFor } from '../support/world';

const box = (left: number, right: number) => ({ top: 0, bottom: 1, left, right });
const seat = (id: string, allyTeam: string, isReady = false) => ({ id, allyTeam, team: '0', player: '0', isReady, assetStatus: 'complete' as const });

function details(extra: Record<string, unknown> = {}) {
  return {
    id: 'lobby-7', name: 'Friday', mapName: 'Red Comet', engineVersion: '2025.04.01', gameVersion: 'BAR test-1', gameOptions: {},
    allyTeamConfig: {
      '0': { maxTeams: 1, startBox: box(0, 0.25), teams: { '0': { maxPlayers: 1 } } },
      '1': { maxTeams: 1, startBox: box(0.75, 1), teams: { '0': { maxPlayers: 1 } } },
    },
    areBossesEnabled: false, bosses: {}, players: { '1': seat('1', '0') }, spectators: {}, bots: {}, tags: {},
    ...extra,
  };
}

const roomOf = (extra: Record<string, unknown> = {}): LobbyRoomView => roomFromDetails(details(extra) as never) as LobbyRoomView;
const list = (entries: Record<string, { id: string; name: string }>, loaded = true): LobbiesView => ({
  watching: true, loaded,
  entries: Object.fromEntries(Object.entries(entries).map(([id, e]) => [id, {
    ...e, playerCount: 1, maxPlayerCount: 2, mapName: 'm', engineVersion: 'e', gameVersion: 'g', battleStartedAt: null,
  }])),
});
const scene = (over: Partial<LobbyScene>): LobbyScene => ({ signedIn: true, selfId: '1', lobbies: { watching: false, loaded: false, entries: {} }, lobby: null, ...over });

describe('the headless lobby driver', () => {
  it('creates, adds the bots on the other side, and starts once enough players and every bot are in, each step once', () => {
    const driver = new HeadlessLobbyDriver({ create: { name: 'Friday', mapName: 'Red Comet' }, bots: ['NullAI'], startWhen: 1, autoReady: false });
    expect(driver.steps(scene({ signedIn: false }))).toEqual([]);
    expect(driver.steps(scene({}))).toEqual([{ kind: 'create', params: { name: 'Friday', mapName: 'Red Comet', allyTeams: 2, teamSize: 1, bossesEnabled: false } }]);
    expect(driver.steps(scene({}))).toEqual([]);
    expect(driver.steps(scene({ lobby: roomOf() }))).toEqual([{ kind: 'bot', allyTeam: '1', shortName: 'NullAI' }]);
    const withBot = roomOf({ bots: { '5': { id: '5', hostUserId: '1', allyTeam: '1', team: '0', player: '0', shortName: 'NullAI' } } });
    expect(driver.steps(scene({ lobby: withBot }))).toEqual([{ kind: 'start' }]);
    expect(driver.steps(scene({ lobby: withBot }))).toEqual([]);
    // Out of the lobby (kicked, or it closed): nothing more.
    expect(driver.steps(scene({ lobby: null }))).toEqual([]);
  });

  it('joins by name once listed, takes the side with room, readies, and stops watching the list', () => {
    const driver = new HeadlessLobbyDriver({ join: 'friday', bots: [], autoReady: true });
    expect(driver.steps(scene({}))).toEqual([{ kind: 'watch' }]);
    expect(driver.steps(scene({ lobbies: list({}, true) }))).toEqual([]);
    expect(driver.steps(scene({ lobbies: list({ 'lobby-7': { id: 'lobby-7', name: 'Friday' } }) }))).toEqual([{ kind: 'join', lobbyId: 'lobby-7' }]);
    const asSpectator = roomOf({ spectators: { '2': { id: '2' } } });
    expect(driver.steps(scene({ selfId: '2', lobby: asSpectator }))).toEqual([{ kind: 'unwatch' }, { kind: 'seat', allyTeam: '1' }]);
    const seated = roomOf({ players: { '1': seat('1', '0'), '2': seat('2', '1') } });
    expect(driver.steps(scene({ selfId: '2', lobby: seated }))).toEqual([{ kind: 'ready' }]);
    // A joiner never starts the battle.
    expect(driver.steps(scene({ selfId: '2', lobby: seated }))).toEqual([]);
  });

  it('tries a refused step again on the next change, a few times only', () => {
    const driver = new HeadlessLobbyDriver({ create: { name: 'Friday', mapName: 'Red Comet' }, bots: [], startWhen: 1, autoReady: false });
    driver.steps(scene({}));
    const room = roomOf();
    for (let i = 0; i < 3; i++) {
      expect(driver.steps(scene({ lobby: room }))).toEqual([{ kind: 'start' }]);
      driver.retry({ kind: 'start' });
    }
    expect(driver.steps(scene({ lobby: room }))).toEqual([{ kind: 'start' }]);
    driver.retry({ kind: 'start' });
    expect(driver.steps(scene({ lobby: room }))).toEqual([]);
  });

  it('finds a lobby by id, exact name, or a name in any case when only one has it', () => {
    const lobbies = list({ a: { id: 'a', name: 'Duel' }, b: { id: 'b', name: 'duel' }, c: { id: 'c', name: 'Team' } });
    expect(findLobby(lobbies, 'c')).toBe('c');
    expect(findLobby(lobbies, 'Duel')).toBe('a');
    expect(findLobby(lobbies, 'DUEL')).toBeNull();
    expect(findLobby(lobbies, 'team')).toBe('c');
    expect(findLobby(lobbies, '__proto__')).toBeNull();
  });
});

describe('the lobby record', () => {
  it('says who is in the lobby, its bots and battle, and once that we left', () => {
    const report = new HeadlessReport(initialSnapshot('http://127.0.0.1:1'));
    expect(report.records({ slice: 'lobby', value: null })).toEqual([]);
    const room = roomOf({ bots: { '5': { id: '5', hostUserId: '1', allyTeam: '1', team: '0', player: '0', shortName: 'NullAI' } } });
    const [joined] = report.records({ slice: 'lobby', value: room });
    expect(joined).toEqual({
      kind: 'lobby', state: 'joined', id: 'lobby-7', name: 'Friday', players: [{ userId: '1', allyTeam: '0', isReady: false }],
      bots: [{ id: '5', shortName: 'NullAI', allyTeam: '1' }], battle: null,
    });
    expect(humanLine(joined!)).toBe('lobby: in Friday (lobby-7) - players [1@0], bots [NullAI@1]');
    expect(report.records({ slice: 'lobby', value: room })).toEqual([]);
    const [running] = report.records({ slice: 'lobby', value: { ...room, battle: { id: 'b1', startedAt: 5 } } });
    expect(running).toMatchObject({ battle: { id: 'b1', startedAt: 5 } });
    const [left] = report.records({ slice: 'lobby', value: null });
    expect(left).toEqual({ kind: 'lobby', state: 'left', id: 'lobby-7', name: 'Friday', players: [], bots: [], battle: null });
    expect(humanLine(left!)).toBe('lobby: left Friday (lobby-7)');
  });
});

describe('the headless process in custom lobbies', () => {
  let peer: ScriptedPeer | null = null;
  const runs: HeadlessProcess[] = [];
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'headless-lobby-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const run of runs) run.child.kill('SIGKILL');
    await Promise.all(runs.map((run) => run.exited));
    runs.length = 0;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    await peer?.close();
    peer = null;
  });

  async function admit(userId: string): Promise<ScriptedConnection> {
    const connection = await (peer as ScriptedPeer).nextConnection();
    connection.event('user/self', teiserverSelf(userId, `player${userId}`));
    for (const [commandId, data] of Object.entries({
      'matchmaking/list': teiserverPlaylists(), 'friend/list': { friends: [], outgoingPendingRequests: [], incomingPendingRequests: [] },
      'messaging/subscribeReceived': { hasMissedMessages: false }, 'system/serverStats': { userCount: 2 },
    })) void connection.next(commandId).then((request) => connection.succeed(request, data));
    return connection;
  }

  it('creates with --lobby-map, adds the --lobby-bot on the other side and starts at --lobby-start-when players', async () => {
    peer = await startScriptedPeer();
    const run = spawnHeadless(['--server', peer.baseUrl, '--json', '--data-dir', tempDir(), '--lobby-create', 'Friday', '--lobby-map', 'Red Comet',
      '--lobby-bot', 'NullAI', '--lobby-start-when', '2'], { TACHYON_TOKEN: 'token-creator' });
    runs.push(run);
    const connection = await admit('1');
    const create = await connection.next('lobby/create');
    expect(create.data).toMatchObject({ name: 'Friday', mapName: 'Red Comet', areBossesEnabled: false });
    expect((create.data as { allyTeamConfig: unknown[] }).allyTeamConfig).toHaveLength(2);
    connection.succeed(create, details({ allyTeamConfig: {
      '0': { maxTeams: 2, startBox: box(0, 0.25), teams: { '0': { maxPlayers: 1 }, '1': { maxPlayers: 1 } } },
      '1': { maxTeams: 2, startBox: box(0.75, 1), teams: { '0': { maxPlayers: 1 }, '1': { maxPlayers: 1 } } },
    } }));
    const bot = await connection.next('lobby/addBot');
    expect(bot.data).toEqual({ allyTeam: '1', shortName: 'NullAI' });
    connection.succeed(bot, { id: '9' });
    connection.event('lobby/updated', { id: 'lobby-7', bots: { '9': { id: '9', hostUserId: '1', allyTeam: '1', team: '0', player: '0', shortName: 'NullAI', name: null, version: null, options: {} } } });
    await waitFor('the bot in the record', () => run.records().some((r) => r.kind === 'lobby' && (r.bots as unknown[]).length === 1), 15_000);
    // One player so far: no start yet. A second one joins and takes a side.
    connection.event('lobby/updated', { id: 'lobby-7', players: { '2': seat('2', '1') } });
    const start = await connection.next('lobby/startBattle');
    connection.succeed(start);
    connection.event('lobby/updated', { id: 'lobby-7', currentBattle: { id: 'battle-1', startedAt: 1_767_000_000_000_000 } });
    await waitFor('the battle in the record', () => run.records().some((r) => r.kind === 'lobby' && (r.battle as { id?: string } | null)?.id === 'battle-1'), 15_000);
    expect(run.records().filter((r) => r.kind === 'lobby').at(-1)).toMatchObject({
      state: 'joined', id: 'lobby-7', name: 'Friday', players: [{ userId: '1', allyTeam: '0' }, { userId: '2', allyTeam: '1' }], bots: [{ id: '9', shortName: 'NullAI', allyTeam: '1' }],
    });
    expect(connection.violations).toEqual([]);
  }, 40_000);

  it('joins by name: watches the list, joins, takes a free side and stops watching', async () => {
    peer = await startScriptedPeer();
    const run = spawnHeadless(['--server', peer.baseUrl, '--json', '--data-dir', tempDir(), '--lobby-join', 'Friday'], { TACHYON_TOKEN: 'token-joiner' });
    runs.push(run);
    const connection = await admit('2');
    const subscribe = await connection.next('lobby/subscribeList');
    connection.burst(() => {
      connection.succeed(subscribe);
      connection.event('lobby/listReset', { lobbies: {} });
    });
    // Not there yet: it waits for the lobby to be listed.
    connection.event('lobby/listUpdated', { lobbies: { 'lobby-7': { id: 'lobby-7', name: 'Friday', playerCount: 1, maxPlayerCount: 2, mapName: 'Red Comet', engineVersion: 'e', gameVersion: 'g', currentBattle: null } } });
    const join = await connection.next('lobby/join');
    expect(join.data).toEqual({ id: 'lobby-7' });
    connection.succeed(join, details({ spectators: { '2': { id: '2' } } }));
    const seatRequest = await connection.next('lobby/joinAllyTeam');
    expect(seatRequest.data).toEqual({ allyTeam: '1' });
    connection.succeed(seatRequest);
    connection.succeed(await connection.next('lobby/unsubscribeList'));
    connection.event('lobby/updated', { id: 'lobby-7', players: { '2': seat('2', '1') }, spectators: { '2': null } });
    await waitFor('seated in the record', () => run.records().some((r) => r.kind === 'lobby' && (r.players as unknown[]).length === 2), 15_000);
    expect(connection.violations).toEqual([]);
  }, 40_000);

  it('refuses lobby flags that cannot work with a usage error (exit 64)', async () => {
    const cases = [
      ['--lobby-create', 'x'],
      ['--lobby-create', 'x', '--lobby-map', 'm', '--lobby-join', 'y'],
      ['--lobby-join', 'y', '--lobby-start-when', '2'],
      ['--lobby-create', 'x', '--lobby-map', 'm', '--lobby-start-when', 'many'],
    ];
    const started = cases.map((args) => spawnHeadless(['--server', 'http://127.0.0.1:9', ...args], { TACHYON_TOKEN: 'token-usage' }));
    runs.push(...started);
    for (const run of started) {
      expect(await run.exited).toBe(64);
      expect(run.stderr.join('')).toMatch(/headless: --lobby/);
    }
  }, 60_000);
});
