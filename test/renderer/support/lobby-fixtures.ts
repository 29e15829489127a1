// A realistic custom lobby for the renderer tests: two ally teams (of two and of three), three players (one boss), a bot, a spectator,
// one in the join queue, a vote under way and one finished; and a list of lobbies. Shapes are the contract's.
import type { LobbyRoomView, LobbySummaryView, SkirmishAiView, UserView } from '../../../src-main/contract';

export const VOTE_UNTIL = Date.UTC(2026, 11, 1, 15, 0, 30);

export const USERS: readonly UserView[] = [
  { userId: 'u1', username: 'alice', displayName: 'Alice', clanId: null, status: 'lobby' },
  { userId: 'u2', username: 'bob', displayName: 'Bob', clanId: null, status: 'lobby' },
  { userId: 'u3', username: 'carol', displayName: 'Carol', clanId: null, status: 'lobby' },
  { userId: 'u4', username: 'dave', displayName: 'Dave', clanId: null, status: 'lobby' },
  { userId: 'u5', username: 'erin', displayName: 'Erin', clanId: null, status: 'lobby' },
];

const box = (left: number, right: number) => ({ top: 0, bottom: 1, left, right });

export function room(over: Partial<LobbyRoomView> = {}): LobbyRoomView {
  return {
    id: 'lobby-7',
    name: 'Friday skirmish',
    mapName: 'Tachyon Test Map',
    engineVersion: '106.0',
    gameVersion: 'Tachyon Test Game',
    gameOptions: { startmetal: '1000' },
    allyTeams: [
      { id: '0', maxTeams: 2, startBox: box(0, 0.3), teams: [{ id: '0', maxPlayers: 1 }, { id: '1', maxPlayers: 1 }] },
      { id: '1', maxTeams: 3, startBox: box(0.7, 1), teams: [{ id: '0', maxPlayers: 1 }, { id: '1', maxPlayers: 1 }, { id: '2', maxPlayers: 1 }] },
    ],
    areBossesEnabled: true,
    bosses: ['u1'],
    players: {
      u1: { userId: 'u1', allyTeam: '0', team: '0', player: '0', isReady: true, assetStatus: 'complete' },
      u3: { userId: 'u3', allyTeam: '0', team: '1', player: '0', isReady: false, assetStatus: 'downloading' },
      u2: { userId: 'u2', allyTeam: '1', team: '0', player: '0', isReady: false, assetStatus: 'complete' },
    },
    spectators: {
      u4: { userId: 'u4', joinQueuePosition: null },
      u5: { userId: 'u5', joinQueuePosition: 1 },
    },
    bots: {
      b1: { id: 'b1', hostUserId: 'u1', allyTeam: '1', team: '1', player: '0', name: 'NullAI 1', shortName: 'NullAI', version: '0.1', options: {} },
    },
    battle: null,
    vote: {
      id: 'v2', action: { type: 'changeMap', newMapName: 'Other Map' }, initiator: 'u2',
      voters: { u1: 'pending', u2: 'yes', u3: 'no' }, until: VOTE_UNTIL, quorum: null, majority: null,
    },
    voteHistory: [{ id: 'v1', action: { type: 'start' }, outcome: 'failed', finishedAt: VOTE_UNTIL - 120_000 }],
    ...over,
  };
}

export const AIS: readonly SkirmishAiView[] = [
  {
    shortName: 'NullAI', version: '0.1', name: 'Null AI', description: 'Does nothing, on purpose.',
    options: [
      { key: 'aggression', name: 'Aggression', description: 'How eager', type: 'number', default: '5', min: 0, max: 10 },
      { key: 'cheat', name: 'Cheat', description: 'Sees all', type: 'bool', default: '0' },
      { key: 'profile', name: 'Profile', description: 'Play style', type: 'list', default: 'normal', items: [{ key: 'normal', name: 'Normal' }, { key: 'hard', name: 'Hard' }] },
    ],
  },
  { shortName: 'KAIK', version: '0.13', name: 'KAIK', description: '', options: [] },
];

const summary = (id: string, over: Partial<LobbySummaryView>): LobbySummaryView => ({
  id, name: id, playerCount: 1, maxPlayerCount: 4, mapName: 'Tachyon Test Map', engineVersion: '106.0', gameVersion: 'Tachyon Test Game',
  battleStartedAt: null, ...over,
});

export const LIST: Readonly<Record<string, LobbySummaryView>> = {
  a: summary('a', { name: 'Newbies welcome', playerCount: 2, maxPlayerCount: 8, mapName: 'Comet Catcher' }),
  b: summary('b', { name: 'Full house', playerCount: 4, maxPlayerCount: 4, mapName: 'Red Comet' }),
  c: summary('c', { name: 'Team FFA', playerCount: 6, maxPlayerCount: 16, battleStartedAt: VOTE_UNTIL - 600_000, mapName: 'Avalanche' }),
};
