// The two schema sets against messages built field for field as the real server (Teiserver's tachyon_handler) builds them:
// `current` (what the embedded server enforces) must judge them as Teiserver does, `either` (what a client accepts) must
// also take the 1.13.0 shapes, and a message that fits neither revision is refused by both, naming the failing path.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { hasSchema, isKnownCommand, validateMessage, type MessageType, type SchemaSet } from '../../src-main/core/protocol/validation';
import type { EventData, FailureReason, RequestData, SuccessData } from '../../src-main/core/protocol/commands';
import type { LobbyDetails, LobbyOverview, VoteAction } from '../../src-main/core/protocol/schemas/index';

type Message = { type: MessageType; commandId: string; [key: string]: unknown };

const T = 1_764_590_000_000_000; // µs, as Teiserver sends party, lobby and chat times
const T_SECONDS = 1_764_590_000; // friend timestamps come in seconds

const event = (commandId: string, data: unknown): Message => ({ type: 'event', messageId: 'e1', commandId, data });
const request = (commandId: string, data?: unknown): Message =>
  data === undefined ? { type: 'request', messageId: 'q1', commandId } : { type: 'request', messageId: 'q1', commandId, data };
const success = (commandId: string, data?: unknown): Message =>
  data === undefined
    ? { type: 'response', messageId: 'q1', commandId, status: 'success' }
    : { type: 'response', messageId: 'q1', commandId, status: 'success', data };
const failed = (commandId: string, reason: string, details?: string): Message =>
  ({ type: 'response', messageId: 'q1', commandId, status: 'failed', reason, ...(details === undefined ? {} : { details }) });

/** A copy without the named keys: an older shape, as its server builds it. */
function without<T extends object>(value: T, ...keys: string[]): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key))) as Partial<T>;
}

const party = { id: 'p1', members: [{ userId: '351', joinedAt: T }], maxMembers: 4, invited: [{ userId: '352', invitedAt: T }] };

const selfUser = (matchmaking: unknown) => ({
  userId: '351',
  username: 'alice',
  displayName: 'alice',
  clanId: null,
  countryCode: 'FR',
  status: 'menu',
  party,
  invitedToParties: [],
  friendIds: ['352'],
  outgoingFriendRequest: [{ to: '353', sentAt: T_SECONDS }],
  incomingFriendRequest: [{ from: '354', sentAt: T_SECONDS }],
  ignoreIds: [],
  matchmaking,
  clanInvites: [],
  currentLobby: null,
  roles: ['contributor', 'moderator'],
});

const kickbanVote = {
  id: 'v1',
  action: { type: 'kickban', userId: '352', banUntil: T + 3_600_000_000 },
  initiator: '351',
  voters: { '351': { vote: 'yes' }, '352': { vote: 'pending' }, '353': { vote: 'abstain' } },
  until: T + 60_000_000,
  // Undeclared in LobbyDetails (only lobby/updated declares them), sent anyway.
  quorum: 2,
  majority: 2,
};

/** LobbyDetails as lobby_details_to_tachyon builds it, with the undeclared `tags` and vote `quorum`/`majority`. */
const details = (currentVote: unknown) => ({
  id: 'L1',
  players: {
    '351': { id: '351', allyTeam: '0', team: '0', player: '0', isReady: false, assetStatus: 'complete' },
    '352': { id: '352', allyTeam: '1', team: '0', player: '0', isReady: true, assetStatus: 'downloading' },
  },
  spectators: { '353': { id: '353', joinQueuePosition: 1 } },
  bots: { b1: { id: 'b1', allyTeam: '1', team: '1', player: '0', hostUserId: '351', shortName: 'NullAI', name: 'Null', version: '0.1', options: { difficulty: 'hard' } } },
  currentBattle: { id: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', startedAt: T },
  name: "alice's battle",
  mapName: 'Red Comet Remake 1.8',
  allyTeamConfig: {
    '0': { maxTeams: 1, startBox: { top: 0, bottom: 1, left: 0, right: 0.25 }, teams: { '0': { maxPlayers: 1 } } },
    '1': { maxTeams: 2, startBox: { top: 0, bottom: 1, left: 0.75, right: 1 }, teams: { '0': { maxPlayers: 1 }, '1': { maxPlayers: 1 } } },
  },
  areBossesEnabled: false,
  bosses: {},
  gameOptions: { startmetal: { value: '1000' } },
  tags: { casual: {} },
  engineVersion: '2025.04.10',
  gameVersion: 'Beyond All Reason test-28094-d7c6a5e',
  currentVote,
  voteHistory: { v0: { vote: { type: 'changeMap', newMapName: 'Quicksilver' }, outcome: 'passed', finishedAt: T - 1 } },
});

type Expect = { current: 'ok' | 'refused'; either: 'ok' | 'refused' };
const BOTH: Expect = { current: 'ok', either: 'ok' };
const LEGACY: Expect = { current: 'refused', either: 'ok' };
const NEITHER: Expect = { current: 'refused', either: 'refused' };

const SAMPLES: [string, Message, Expect][] = [
  ['user/self, not matchmaking (clanId null, currentLobby, clanInvites [])', event('user/self', { user: selfUser({ state: 'no_matchmaking' }) }), BOTH],
  ['user/self, queuing', event('user/self', { user: selfUser({ state: 'queuing', queues: [{ id: '1v1', version: '3' }] }) }), BOTH],
  [
    'user/self, found',
    event('user/self', {
      user: selfUser({ state: 'found', queue: { id: '1v1', version: '3', timeoutAt: T, hasAlreadyReadied: false }, otherQueues: [{ id: '2v2', version: '1' }] }),
    }),
    BOTH,
  ],
  ['user/self in the 1.13.0 shape (no matchmaking, currentLobby, clanInvites)', event('user/self', { user: { ...without(selfUser(undefined), 'matchmaking', 'currentLobby', 'clanInvites'), party: null } }), LEGACY],
  [
    'user/updated with country instead of countryCode',
    event('user/updated', { users: [{ userId: '352', username: 'bob', displayName: 'bob', clanId: null, country: 'DE', status: 'menu', roles: [] }] }),
    BOTH,
  ],
  ['user/info', success('user/info', { userId: '352', username: 'bob', displayName: 'bob', clanId: null, countryCode: 'DE', status: 'playing', roles: ['admin'] }), BOTH],
  ['party/create {party}', success('party/create', { party }), BOTH],
  ['party/create {partyId} (1.13.0)', success('party/create', { partyId: 'p1' }), LEGACY],
  ['party/updated with maxMembers', event('party/updated', party), BOTH],
  ['party/invited with maxMembers', event('party/invited', { party }), BOTH],
  ['party/updated without maxMembers (1.13.0)', event('party/updated', without(party, 'maxMembers')), LEGACY],
  [
    'matchmaking/list with version',
    success('matchmaking/list', {
      playlists: [{
        id: '1v1', version: '3', name: 'Duel', numOfTeams: 2, teamSize: 1, ranked: true,
        engines: [{ version: '2025.04.10' }], games: [{ springName: 'Beyond All Reason test-28094-d7c6a5e' }], maps: [{ springName: 'Red Comet Remake 1.8' }],
      }],
    }),
    BOTH,
  ],
  ['matchmaking/cancelled with an undeclared details', event('matchmaking/cancelled', { reason: 'server_error', details: 'no_host_available' }), BOTH],
  ['matchmaking/cancelled version_changed (current only)', event('matchmaking/cancelled', { reason: 'version_changed' }), BOTH],
  [
    'messaging/received from a lobby',
    event('messaging/received', { message: 'glhf', source: { type: 'lobby', lobbyId: 'L1', userId: '351' }, timestamp: T, marker: '-576460752303423' }),
    BOTH,
  ],
  ['messaging/received from a player', event('messaging/received', { message: 'hi', source: { type: 'player', userId: '352' }, timestamp: T, marker: '17' }), BOTH],
  [
    'battle/start with an IPv4 ip',
    request('battle/start', {
      username: 'alice', password: '0123456789abcdef0123456789abcdef', ip: '1.2.3.4', port: 8452,
      engine: { version: '2025.04.10' }, game: { springName: 'Beyond All Reason test-28094-d7c6a5e' }, map: { springName: 'Red Comet Remake 1.8' },
    }),
    BOTH,
  ],
  [
    'friend/list (timestamps in seconds)',
    success('friend/list', {
      friends: [{ userId: '352', addedAt: T_SECONDS }],
      incomingPendingRequests: [{ from: '354', sentAt: T_SECONDS }],
      outgoingPendingRequests: [{ to: '353', sentAt: T_SECONDS }],
    }),
    BOTH,
  ],
  ['lobby/create success: LobbyDetails with tags and vote quorum/majority', success('lobby/create', details({ ...kickbanVote, action: { type: 'appointBoss', bossId: '352' } })), BOTH],
  ['lobby/join success with a kickban vote', success('lobby/join', details(kickbanVote)), BOTH],
  ['lobby/join refused: banned', failed('lobby/join', 'banned', 'Banned until 2026-12-01T13:00:00Z'), BOTH],
  ['lobby/join refused with a reason it does not declare', failed('lobby/join', 'not_a_boss'), NEITHER],
  ['lobby/updated with a kickban vote', event('lobby/updated', { id: 'L1', currentVote: { ...kickbanVote, action: { type: 'kickban', userId: '352' } } }), BOTH],
  [
    'lobby/updated with null removals',
    event('lobby/updated', {
      id: 'L1',
      players: { '352': null, '353': { id: '353', allyTeam: '1', team: '0', player: '0', isReady: false, assetStatus: 'missing' } },
      spectators: { '353': null, '354': { id: '354', joinQueuePosition: null } },
      bots: { b1: null, b2: { id: 'b2', allyTeam: '0', team: '1', player: '0', hostUserId: '351', shortName: 'NullAI', name: null, version: null, options: null } },
      bosses: { '351': null },
      allyTeamConfig: { '1': null, '0': { maxTeams: 1, startBox: { top: 0, bottom: 1, left: 0, right: 0.5 }, teams: { '0': { maxPlayers: 1 }, '1': null } } },
      gameOptions: { startmetal: null },
      tags: { casual: null },
      currentBattle: null,
      currentVote: null,
      voteHistory: { v0: null },
    }),
    BOTH,
  ],
  ['lobby/updated with a bot lacking version and options', event('lobby/updated', { id: 'L1', bots: { b2: { id: 'b2', shortName: 'NullAI' } } }), NEITHER],
  [
    'lobby/listReset (with the undeclared areBossesEnabled and tags)',
    event('lobby/listReset', {
      lobbies: {
        L1: { id: 'L1', name: "alice's battle", playerCount: 2, maxPlayerCount: 4, mapName: 'Red Comet Remake 1.8', engineVersion: '2025.04.10', gameVersion: 'BAR', areBossesEnabled: false, tags: {}, currentBattle: null },
        L2: { id: 'L2', name: 'running', playerCount: 4, maxPlayerCount: 4, mapName: 'Quicksilver', engineVersion: '2025.04.10', gameVersion: 'BAR', currentBattle: { startedAt: T } },
      },
    }),
    BOTH,
  ],
  ['lobby/listUpdated (partial, null for a gone lobby)', event('lobby/listUpdated', { lobbies: { L1: { id: 'L1', playerCount: 3, tags: { casual: null } }, L2: null } }), BOTH],
  ['lobby/left kicked', event('lobby/left', { id: 'L1', reason: 'kicked' }), BOTH],
  ['lobby/left kickbanned', event('lobby/left', { id: 'L1', reason: 'kicked', bannedUntil: T }), BOTH],
  ['lobby/voteEnded', event('lobby/voteEnded', { id: 'v1', outcome: 'timeout' }), BOTH],
  // Tachyon 1.23.0's asset check, which the embedded server sends (Teiserver does not yet): the shapes of its schema files.
  [
    'server matchmaking/checkAssets',
    request('matchmaking/checkAssets', { queueId: '1v1', version: '3', engines: ['2025.04.10'], game: 'Beyond All Reason test-28094-d7c6a5e', maps: ['Red Comet Remake 1.8', 'Quicksilver'] }),
    BOTH,
  ],
  ['server matchmaking/checkAssets without maps', request('matchmaking/checkAssets', { queueId: '1v1', version: '3', engines: [], game: 'BAR' }), NEITHER],
  ['client matchmaking/checkAssets answer: downloading', success('matchmaking/checkAssets', { assetStatus: 'downloading' }), BOTH],
  ['client matchmaking/checkAssets answer: ready (an older draft\'s word)', success('matchmaking/checkAssets', { assetStatus: 'ready' }), NEITHER],
  ['client matchmaking/checkAssets refused: command_unimplemented', failed('matchmaking/checkAssets', 'command_unimplemented'), BOTH],
  ['matchmaking/queue refused: party_missing_asset', failed('matchmaking/queue', 'party_missing_asset', 'bob does not have what Duel needs'), BOTH],
  ['client matchmaking/queue in the 1.13.0 shape', request('matchmaking/queue', { queues: ['1v1'] }), LEGACY],
  ['client matchmaking/queue in the current shape', request('matchmaking/queue', { queues: [{ id: '1v1', version: '3' }] }), BOTH],
  [
    'client lobby/create',
    request('lobby/create', {
      name: 'mine', mapName: 'Red Comet Remake 1.8', areBossesEnabled: true, gameOptions: { startmetal: { value: '1000' } }, tags: { casual: {} },
      allyTeamConfig: [{ maxTeams: 1, startBox: { top: 0, bottom: 1, left: 0, right: 0.25 }, teams: [{ maxPlayers: 1 }] }],
    }),
    BOTH,
  ],
  ['client lobby/create with a start box off the map', request('lobby/create', { name: 'x', mapName: 'y', allyTeamConfig: [{ maxTeams: 1, startBox: { top: 0, bottom: 1.5, left: 0, right: 1 }, teams: [] }] }), NEITHER],
  ['client lobby/leave (no data)', request('lobby/leave'), BOTH],
  ['client lobby/unboss with {} (its data is required)', request('lobby/unboss', {}), BOTH],
  ['client lobby/unboss without data', request('lobby/unboss'), NEITHER],
  ['client lobby/updateBot clearing its version and an option', request('lobby/updateBot', { id: 'b1', version: null, options: { difficulty: null } }), BOTH],
  ['client lobby/voteSubmit pending (not a vote one can cast)', request('lobby/voteSubmit', { id: 'v1', vote: 'pending' }), NEITHER],
];

const judged = (message: Message, set: SchemaSet) => (validateMessage(message, set).ok ? 'ok' : 'refused');

describe('the current and either schema sets against the real server\'s messages', () => {
  it.each(SAMPLES)('%s', (_name, message, expected) => {
    expect({ current: judged(message, 'current'), either: judged(message, 'either') }).toEqual(expected);
  });

  it('knows matchmaking/queueUpdate only in either (Teiserver dropped it)', () => {
    const queueUpdate = event('matchmaking/queueUpdate', { playersQueued: '3' });
    expect(isKnownCommand('matchmaking/queueUpdate', 'current')).toBe(false);
    expect(validateMessage(queueUpdate, 'current')).toEqual({ ok: false, problem: 'no event schema for command "matchmaking/queueUpdate"' });
    expect(isKnownCommand('matchmaking/queueUpdate', 'either')).toBe(true);
    expect(validateMessage(queueUpdate, 'either')).toEqual({ ok: true });
  });

  it('knows all 24 lobby commands in both sets, each with the message types Teiserver declares', () => {
    const withoutEvents = [
      'create', 'join', 'leave', 'joinAllyTeam', 'spectate', 'joinQueue', 'addBot', 'removeBot', 'updateBot', 'update', 'updateClientStatus',
      'startBattle', 'joinBattle', 'subscribeList', 'unsubscribeList', 'voteSubmit', 'appointBoss', 'unboss', 'kickban',
    ];
    const events = ['updated', 'listReset', 'listUpdated', 'left', 'voteEnded'];
    expect(withoutEvents.length + events.length).toBe(24);
    for (const set of ['current', 'either'] as const) {
      for (const name of withoutEvents) {
        expect([hasSchema(`lobby/${name}`, 'request', set), hasSchema(`lobby/${name}`, 'response', set), hasSchema(`lobby/${name}`, 'event', set)]).toEqual([true, true, false]);
      }
      for (const name of events) {
        expect([hasSchema(`lobby/${name}`, 'request', set), hasSchema(`lobby/${name}`, 'response', set), hasSchema(`lobby/${name}`, 'event', set)]).toEqual([false, false, true]);
      }
    }
  });

  it('refuses a message that fits neither revision in both sets, naming the failing path', () => {
    const queue = request('matchmaking/queue', { queues: [42] });
    for (const set of ['current', 'either'] as const) {
      const result = validateMessage(queue, set);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problem).toContain('/data/queues/0');
    }
    const bot = validateMessage(event('lobby/updated', { id: 'L1', bots: { b2: { id: 'b2' } } }), 'either');
    expect(bot).toEqual({ ok: false, problem: expect.stringContaining('required: version') });
  });

  it('never puts a value from the message into the problem text', () => {
    const SECRET = 'SECRET-VALUE-123';
    const bad: Message[] = [
      request('matchmaking/queue', { queues: SECRET }),
      request('lobby/updateClientStatus', { assetStatus: SECRET }),
      request('lobby/voteSubmit', { id: 'v1', vote: SECRET }),
      request('lobby/create', { name: 'x', mapName: 'y', allyTeamConfig: SECRET }),
      event('lobby/updated', { id: 'L1', currentVote: { id: 'v1', action: { type: SECRET, userId: '352' } } }),
      event('lobby/left', { id: 'L1', reason: 'kicked', bannedUntil: SECRET }),
      event('user/self', { user: { ...selfUser({ state: SECRET }), status: SECRET } }),
      success('party/create', { party: { ...party, maxMembers: SECRET } }),
      failed('lobby/join', SECRET, SECRET),
    ];
    for (const message of bad) {
      for (const set of ['current', 'either'] as const) {
        const result = validateMessage(message, set);
        expect(result.ok, `${message.commandId} in ${set}`).toBe(false);
        if (!result.ok) expect(result.problem).not.toContain('SECRET');
      }
    }
  });

  it('shows the keys of a record keyed by id as * in the failing path, and the schema\'s own field names as they are', () => {
    const cases: [Message, string][] = [
      [event('lobby/updated', { id: 'L1', bots: { 'SECRET-VALUE-123': { id: 'b2' } } }), '/data/bots/* required: version'],
      [event('lobby/updated', { id: 'L1', players: { secretkey: { isReady: true } } }), '/data/players/* required: id'],
      [event('lobby/listReset', { lobbies: { secretkey: { id: 'L1' } } }), '/data/lobbies/* required: name'],
    ];
    for (const [message, expected] of cases) {
      for (const set of ['current', 'either'] as const) {
        const result = validateMessage(message, set);
        expect(result).toEqual({ ok: false, problem: expect.stringContaining(expected) });
        if (!result.ok) expect(result.problem).not.toMatch(/SECRET|secretkey/);
      }
    }
    // A command checked by the 1.13.0 package's validators keeps its named path.
    expect(validateMessage(event('matchmaking/found', { queueId: 5, timeoutMs: 20000 }), 'current')).toEqual({ ok: false, problem: '/data/queueId must be string' });
  });

  it('types the lobby commands for both directions (commands.ts)', () => {
    expectTypeOf<RequestData<'lobby/join'>>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<RequestData<'lobby/leave'>>().toEqualTypeOf<undefined>();
    expectTypeOf<SuccessData<'lobby/create'>>().toEqualTypeOf<LobbyDetails>();
    expectTypeOf<SuccessData<'lobby/addBot'>>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<FailureReason<'lobby/join'>>().toEqualTypeOf<'lobby_full' | 'banned' | 'internal_error' | 'unauthorized' | 'invalid_request' | 'command_unimplemented'>();
    expectTypeOf<EventData<'lobby/listReset'>>().toEqualTypeOf<{ lobbies: Record<string, LobbyOverview> }>();
    expectTypeOf<Extract<VoteAction, { type: 'kickban' }>>().toEqualTypeOf<{ type: 'kickban'; userId: string; banUntil?: number }>();
    // A changed command keeps both shapes: the 1.13.0 queue names and the current revision's queue refs.
    expectTypeOf<{ queues: string[] }>().toExtend<RequestData<'matchmaking/queue'>>();
    expectTypeOf<{ queues: { id: string; version: string }[] }>().toExtend<RequestData<'matchmaking/queue'>>();
    expectTypeOf<RequestData<'matchmaking/checkAssets'>>().toEqualTypeOf<{ queueId: string; version: string; engines: string[]; game: string; maps: string[] }>();
    expectTypeOf<SuccessData<'matchmaking/checkAssets'>>().toEqualTypeOf<{ assetStatus: 'missing' | 'downloading' | 'complete' }>();
    expectTypeOf<'party_missing_asset'>().toExtend<FailureReason<'matchmaking/queue'>>();
  });
});
