// The custom-lobby reducer with plain data: LobbyDetails into the room, lobby/updated merge patches (null removes, absent
// keeps), the list events, and what a hostile server sends (prototype keys, huge lists, long strings).
import { describe, expect, it } from 'vitest';
import { applyLobbyUpdate, compareIds, endVote, listFromReset, listWithUpdate, lobbyMemberIds, roomFromDetails } from '../../src-main/core/lobby/custom-lobby-reducer';
import { allyTeamConfig, startBoxes } from '../../src-main/core/lobby/custom-lobby-intents';
import type { LobbyRoomView } from '../../src-main/core/lobby/state';
import { LOBBY_LIMITS } from '../../src-main/shared/lobby-reducers';
import { LIST_CAPS } from '../../src-main/core/lobby/caps';

const US = 1_767_000_000_000_000;
const box = { top: 0, bottom: 1, left: 0, right: 0.25 };

/** LobbyDetails as Teiserver answers `lobby/create` (tachyon_handler's lobby_details_to_tachyon). */
function details(overrides: Record<string, unknown> = {}) {
  return {
    id: 'lobby-1', name: 'Friday', mapName: 'Red Comet', engineVersion: '2025.04.01', gameVersion: 'BAR test-1',
    gameOptions: { startmetal: { value: '1000' } },
    allyTeamConfig: {
      '1': { startBox: box, maxTeams: 1, teams: { '0': { maxPlayers: 1 } } },
      '0': { startBox: box, maxTeams: 2, teams: { '1': { maxPlayers: 1 }, '0': { maxPlayers: 1 } } },
    },
    areBossesEnabled: true, bosses: { 'u-1': {} },
    players: { 'u-1': { id: 'u-1', allyTeam: '0', team: '0', player: '0', isReady: false, assetStatus: 'complete' } },
    spectators: {}, bots: {},
    ...overrides,
  } as Parameters<typeof roomFromDetails>[0];
}

function room(overrides: Record<string, unknown> = {}): LobbyRoomView {
  const r = roomFromDetails(details(overrides));
  if (!r) throw new Error('no room');
  return r;
}

describe('the lobby room', () => {
  it('names the people to follow for their names: players, spectators, bosses and bot hosts, once each', () => {
    const r = room({
      bosses: { 'u-1': {}, 'u-4': {} },
      spectators: { 'u-2': { id: 'u-2' } },
      bots: { '1': { id: '1', hostUserId: 'u-3', allyTeam: '1', team: '0', player: '0', shortName: 'NullAI' }, '2': { id: '2', hostUserId: 'u-1', allyTeam: '1', team: '0', player: '1', shortName: 'NullAI' } },
    });
    expect(lobbyMemberIds(r).sort()).toEqual(['u-1', 'u-2', 'u-3', 'u-4']);
  });

  it('turns LobbyDetails into the room, ally teams and their teams in id order', () => {
    const r = room();
    expect(r.allyTeams.map((at) => at.id)).toEqual(['0', '1']);
    expect(r.allyTeams[0]?.teams).toEqual([{ id: '0', maxPlayers: 1 }, { id: '1', maxPlayers: 1 }]);
    expect(r.gameOptions).toEqual({ startmetal: '1000' });
    expect(r.bosses).toEqual(['u-1']);
    expect(r.players['u-1']).toEqual({ userId: 'u-1', allyTeam: '0', team: '0', player: '0', isReady: false, assetStatus: 'complete' });
    expect(r).toMatchObject({ battle: null, vote: null, voteHistory: [], areBossesEnabled: true, engineVersion: '2025.04.01' });
  });

  it('applies merge patches: null removes, absent keeps, a bot clears version and options with null', () => {
    let r = room();
    r = applyLobbyUpdate(r, {
      id: 'lobby-1',
      spectators: { 'u-2': { id: 'u-2' } },
      bots: { '1': { id: '1', hostUserId: 'u-1', allyTeam: '1', team: '0', player: '0', shortName: 'NullAI', version: '0.1', options: { a: '1', b: '2' } } },
    });
    expect(r.spectators['u-2']).toEqual({ userId: 'u-2', joinQueuePosition: null });
    expect(r.bots['1']).toMatchObject({ shortName: 'NullAI', version: '0.1', options: { a: '1', b: '2' }, name: null });
    r = applyLobbyUpdate(r, { id: 'lobby-1', bots: { '1': { id: '1', version: null, options: { a: null, c: '3' } } } });
    expect(r.bots['1']).toMatchObject({ version: null, options: { b: '2', c: '3' }, shortName: 'NullAI', allyTeam: '1' });
    r = applyLobbyUpdate(r, { id: 'lobby-1', bots: { '1': { id: '1', version: null, options: null } } });
    expect(r.bots['1']?.options).toEqual({});
    r = applyLobbyUpdate(r, {
      id: 'lobby-1', mapName: 'Glacier', gameOptions: { startmetal: null, startenergy: { value: '5' } }, bosses: { 'u-1': null },
      players: { 'u-1': { id: 'u-1', isReady: true } }, spectators: { 'u-2': null }, bots: { '1': null },
      currentBattle: { id: 'b-1', startedAt: US },
    });
    expect(r.mapName).toBe('Glacier');
    expect(r.name).toBe('Friday');
    expect(r.gameOptions).toEqual({ startenergy: '5' });
    expect(r.bosses).toEqual([]);
    expect(r.players['u-1']).toMatchObject({ isReady: true, allyTeam: '0', assetStatus: 'complete' });
    expect(Object.keys(r.spectators)).toEqual([]);
    expect(Object.keys(r.bots)).toEqual([]);
    expect(r.battle).toEqual({ id: 'b-1', startedAt: US / 1000 });
    expect(applyLobbyUpdate(r, { id: 'lobby-1', currentBattle: null }).battle).toBeNull();
    // An update for another lobby changes nothing.
    expect(applyLobbyUpdate(r, { id: 'other', name: 'x' })).toBe(r);
  });

  it('patches the ally-team config per team, removing a team or a whole ally team with null', () => {
    let r = room();
    r = applyLobbyUpdate(r, { id: 'lobby-1', allyTeamConfig: { '0': { teams: { '1': null } }, '1': null, '2': { maxTeams: 3, teams: { '0': {} } } } });
    expect(r.allyTeams).toEqual([
      { id: '0', maxTeams: 2, startBox: box, teams: [{ id: '0', maxPlayers: 1 }] },
      { id: '2', maxTeams: 3, startBox: { top: 0, bottom: 1, left: 0, right: 1 }, teams: [{ id: '0', maxPlayers: 1 }] },
    ]);
  });

  it('follows a vote from start to end, keeping quorum and majority and the history by id', () => {
    let r = applyLobbyUpdate(room(), {
      id: 'lobby-1',
      currentVote: { id: 'vote-1', action: { type: 'kickban', userId: 'u-2', banUntil: US }, initiator: 'u-1', voters: { 'u-1': { vote: 'yes' }, 'u-2': { vote: 'pending' } }, until: US, quorum: 2, majority: 2 },
    });
    expect(r.vote).toEqual({ id: 'vote-1', action: { type: 'kickban', userId: 'u-2', banUntil: US / 1000 }, initiator: 'u-1', voters: { 'u-1': 'yes', 'u-2': 'pending' }, until: US / 1000, quorum: 2, majority: 2 });
    r = applyLobbyUpdate(r, { id: 'lobby-1', currentVote: { id: 'vote-1', voters: { 'u-2': { vote: 'no' } } } });
    expect(r.vote?.voters).toEqual({ 'u-1': 'yes', 'u-2': 'no' });
    const ended = endVote(r, 'vote-1', 'failed', 5_000);
    expect(ended.room.vote).toBeNull();
    expect(ended.ended).toEqual({ id: 'vote-1', action: { type: 'kickban', userId: 'u-2', banUntil: US / 1000 }, outcome: 'failed', finishedAt: 5_000 });
    // The server's own record of the same vote replaces ours.
    r = applyLobbyUpdate(ended.room, { id: 'lobby-1', currentVote: null, voteHistory: { 'vote-1': { vote: { type: 'kickban', userId: 'u-2' }, outcome: 'failed', finishedAt: US } } });
    expect(r.voteHistory).toEqual([{ id: 'vote-1', action: { type: 'kickban', userId: 'u-2' }, outcome: 'failed', finishedAt: US / 1000 }]);
  });

  it('keeps the newest votes only', () => {
    const history: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) history[`v${i}`] = { vote: { type: 'start' }, outcome: 'passed', finishedAt: US + i };
    const r = applyLobbyUpdate(room(), { id: 'lobby-1', voteHistory: history as never });
    expect(r.voteHistory).toHaveLength(LOBBY_LIMITS.voteHistory);
    expect(r.voteHistory.at(-1)?.id).toBe('v99');
  });

  it('takes __proto__ and constructor as plain ids, and pollutes nothing', () => {
    const hostile = JSON.parse(`{
      "players": {"__proto__": {"id": "__proto__", "allyTeam": "0", "team": "0", "player": "0", "isReady": true, "assetStatus": "complete"},
                  "constructor": {"id": "constructor", "allyTeam": "0", "team": "1", "player": "0", "isReady": false, "assetStatus": "missing"}},
      "gameOptions": {"__proto__": {"value": "x"}, "toString": {"value": "y"}},
      "spectators": {}, "bots": {}, "bosses": {"__proto__": {}}
    }`) as Record<string, unknown>;
    const r = room(hostile);
    expect(Object.keys(r.players).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.hasOwn(r.players, '__proto__')).toBe(true);
    expect(r.players['__proto__']?.isReady).toBe(true);
    expect(Object.keys(r.gameOptions).sort()).toEqual(['__proto__', 'toString']);
    expect(r.bosses).toEqual(['__proto__']);
    const removed = applyLobbyUpdate(r, JSON.parse('{"id": "lobby-1", "players": {"__proto__": null}}') as never);
    expect(Object.keys(removed.players)).toEqual(['constructor']);
    expect(({} as Record<string, unknown>).isReady).toBeUndefined();
    // A key the room does not hold is not found through a prototype either.
    expect(Object.hasOwn(room().players, 'toString')).toBe(false);
  });

  it('caps members, options and strings, and refuses ids too long to be real', () => {
    const players: Record<string, unknown> = {};
    for (let i = 0; i < 2_000; i++) players[`u${i}`] = { id: `u${i}`, allyTeam: '0', team: '0', player: '0', isReady: false, assetStatus: 'missing' };
    players['x'.repeat(500)] = { id: 'x'.repeat(500), allyTeam: '0', team: '0', player: '0', isReady: false, assetStatus: 'missing' };
    const options: Record<string, unknown> = {};
    for (let i = 0; i < 5_000; i++) options[`o${i}`] = { value: 'v'.repeat(10_000) };
    const r = room({ players, gameOptions: options, name: 'n'.repeat(100_000) });
    expect(Object.keys(r.players)).toHaveLength(LIST_CAPS.lobbyMembers);
    expect(Object.keys(r.gameOptions)).toHaveLength(LIST_CAPS.options);
    expect(Object.values(r.gameOptions)[0]?.length).toBeLessThanOrEqual(1_024);
    expect(r.name.length).toBeLessThanOrEqual(128);
    expect(roomFromDetails(details({ id: 'i'.repeat(1_000) }))).toBeNull();
  });
});

describe('the list of lobbies', () => {
  const overview = (id: string, extra: Record<string, unknown> = {}) => ({
    id, name: `lobby ${id}`, playerCount: 1, maxPlayerCount: 4, mapName: 'Red Comet', engineVersion: '2025.04.01', gameVersion: 'BAR test-1',
    currentBattle: null, ...extra,
  });

  it('resets, merges updates, removes with null, and reads Teiserver\'s filler currentBattle: null right', () => {
    let list = listFromReset({ a: overview('a', { areBossesEnabled: true }), b: overview('b') });
    expect(list.a).toEqual({ id: 'a', name: 'lobby a', playerCount: 1, maxPlayerCount: 4, mapName: 'Red Comet', engineVersion: '2025.04.01', gameVersion: 'BAR test-1', battleStartedAt: null, areBossesEnabled: true });
    list = listWithUpdate(list, { a: { id: 'a', currentBattle: { startedAt: US } }, c: overview('c'), b: null });
    expect(list.a?.battleStartedAt).toBe(US / 1000);
    expect(Object.keys(list).sort()).toEqual(['a', 'c']);
    // Teiserver sends `currentBattle: null` with every change: a player count change leaves the battle running.
    list = listWithUpdate(list, { a: { id: 'a', playerCount: 2, currentBattle: null } });
    expect(list.a).toMatchObject({ playerCount: 2, battleStartedAt: US / 1000 });
    // Alone, it says the battle ended.
    list = listWithUpdate(list, { a: { id: 'a', currentBattle: null } });
    expect(list.a?.battleStartedAt).toBeNull();
  });

  it('lists at most LOBBY_LIMITS.lobbiesListed lobbies and takes hostile ids as plain ids', () => {
    const lobbies: Record<string, ReturnType<typeof overview>> = {};
    for (let i = 0; i < 20_000; i++) lobbies[`l${i}`] = overview(`l${i}`, { playerCount: 1e12 });
    const list = listFromReset(lobbies);
    expect(Object.keys(list)).toHaveLength(LOBBY_LIMITS.lobbiesListed);
    expect(list.l0?.playerCount).toBe(LIST_CAPS.countMax);
    const hostile = listFromReset(JSON.parse(`{"__proto__": ${JSON.stringify(overview('__proto__'))}}`) as never);
    expect(Object.keys(hostile)).toEqual(['__proto__']);
    expect(listWithUpdate(hostile, JSON.parse('{"__proto__": null}') as never)).toEqual({});
  });
});

describe('a new lobby\'s ally teams', () => {
  it('gives two sides strips at the left and right, more sides cells of a grid, each side teamSize one-player teams', () => {
    expect(startBoxes(2)).toEqual([{ top: 0, bottom: 1, left: 0, right: 0.25 }, { top: 0, bottom: 1, left: 0.75, right: 1 }]);
    const four = startBoxes(4);
    expect(four).toHaveLength(4);
    expect(four[3]).toEqual({ top: 0.5, bottom: 1, left: 0.5, right: 1 });
    for (const b of startBoxes(16)) expect(b.left < b.right && b.top < b.bottom && b.right <= 1 && b.bottom <= 1).toBe(true);
    expect(allyTeamConfig(2, 3)[1]).toEqual({
      maxTeams: 3, startBox: { top: 0, bottom: 1, left: 0.75, right: 1 }, teams: [{ maxPlayers: 1 }, { maxPlayers: 1 }, { maxPlayers: 1 }],
    });
  });

  it('orders ids as numbers where they are numbers', () => {
    expect(['10', 'b', '2', 'a', '0'].sort(compareIds)).toEqual(['0', '2', '10', 'a', 'b']);
  });
});
