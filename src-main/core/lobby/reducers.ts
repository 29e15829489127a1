// Pure translations of what the server says into lobby views: copy known fields only, never spread a server object, and cap
// every string and list as it arrives (caps.ts).
import type { PartyState, PrivateUser, User, UserUpdatedEventData } from 'tachyon-protocol/types';
import type { ChatChannel, ChatLine, FriendsView, MatchmakingView, PartyView, PlaylistView, SelfView, UserView, CancelReason } from './state';
import type { EventData, SuccessData } from '../protocol/commands';
import type { CurrentPartyState, MatchmakingState } from '../protocol/schemas/index';
import { isInQueue } from '../../shared/matchmaking';
import { assertNever } from '../../shared/assert-never';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import { clip, isUsableId, LIST_CAPS, markerKey, newest, TEXT_CAPS } from './caps';
import type { BattleView } from './state';

type UserDiff = UserUpdatedEventData['users'][number];

export function selfView(user: PrivateUser): SelfView {
  return { userId: user.userId, username: clip(user.username, TEXT_CAPS.name), displayName: clip(user.displayName, TEXT_CAPS.name), status: user.status };
}

export function userView(user: User): UserView {
  return mergeUser(undefined, user) as UserView;
}

/** Merges a `user/updated` entry (full the first time, then diffs) into what we know; null when it cannot be placed. */
export function mergeUser(known: UserView | undefined, diff: UserDiff): UserView | null {
  const userId = diff.userId ?? known?.userId;
  if (userId === undefined || !isUsableId(userId)) return null;
  const username = diff.username !== undefined ? clip(diff.username, TEXT_CAPS.name) : undefined;
  const displayName = diff.displayName !== undefined ? clip(diff.displayName, TEXT_CAPS.name) : undefined;
  const merged: { -readonly [K in keyof UserView]: UserView[K] } = {
    userId,
    username: username ?? known?.username ?? '',
    displayName: displayName ?? known?.displayName ?? username ?? known?.username ?? '',
    clanId: diff.clanId !== undefined ? (diff.clanId === null ? null : clip(diff.clanId, TEXT_CAPS.name)) : (known?.clanId ?? null),
    status: diff.status ?? known?.status ?? 'offline',
  };
  // Teiserver's user/updated names the field `country` (its user/self and user/info say `countryCode`).
  const country = diff.countryCode ?? countryOf(diff);
  const countryCode = country !== undefined ? clip(country, TEXT_CAPS.countryCode) : known?.countryCode;
  if (countryCode !== undefined) merged.countryCode = countryCode;
  const rating = diff.rating ? diff.rating.value : known?.rating;
  if (rating !== undefined) merged.rating = rating;
  return merged;
}

/** The undeclared `country` of a `user/updated` entry, when it is a string. */
function countryOf(diff: UserDiff): string | undefined {
  const country = (diff as { country?: unknown }).country;
  return typeof country === 'string' ? country : undefined;
}

/**
 * A protocol time as the milliseconds the lobby state uses. The schema says microseconds, but Teiserver sends friend times in
 * seconds: told apart by magnitude (below 1e11 is seconds, until the year 5138; below 1e14 milliseconds; above, microseconds).
 */
export function unixTimeMs(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  if (value < 1e11) return Math.round(value * 1000);
  if (value < 1e14) return Math.round(value);
  return Math.floor(value / 1000);
}

export function friendsFromSelf(user: PrivateUser): FriendsView {
  return boundedFriends({
    friendIds: user.friendIds.filter(isUsableId),
    incoming: user.incomingFriendRequest.filter((r) => isUsableId(r.from)).map((r) => ({ userId: r.from, sentAt: unixTimeMs(r.sentAt) })),
    outgoing: user.outgoingFriendRequest.filter((r) => isUsableId(r.to)).map((r) => ({ userId: r.to, sentAt: unixTimeMs(r.sentAt) })),
  });
}

/** The friends slice from a `friend/list` answer. */
export function friendsFromList(friends: SuccessData<'friend/list'>): FriendsView {
  return boundedFriends({
    friendIds: friends.friends.map((f) => f.userId).filter(isUsableId),
    incoming: friends.incomingPendingRequests.filter((r) => isUsableId(r.from)).map((r) => ({ userId: r.from, sentAt: unixTimeMs(r.sentAt) })),
    outgoing: friends.outgoingPendingRequests.filter((r) => isUsableId(r.to)).map((r) => ({ userId: r.to, sentAt: unixTimeMs(r.sentAt) })),
  });
}

/** Keeps the friend lists within their caps, dropping the oldest entries. */
export function boundedFriends(friends: FriendsView): FriendsView {
  return {
    friendIds: newest(friends.friendIds, LIST_CAPS.friends),
    incoming: newest(friends.incoming, LIST_CAPS.friendRequests),
    outgoing: newest(friends.outgoing, LIST_CAPS.friendRequests),
  };
}

/** A party as the lobby shows it, or null when its id is unusable. */
export function partyView(party: PartyState | CurrentPartyState): PartyView | null {
  if (!isUsableId(party.id)) return null;
  const max = 'maxMembers' in party && Number.isSafeInteger(party.maxMembers) ? party.maxMembers : null;
  return {
    id: party.id,
    maxMembers: max,
    members: newest(party.members.filter((m) => isUsableId(m.userId)), LIST_CAPS.partyMembers).map((m) => ({ userId: m.userId, joinedAt: m.joinedAt })),
    invited: newest(party.invited.filter((i) => isUsableId(i.userId)), LIST_CAPS.partyMembers).map((i) => ({ userId: i.userId, invitedAt: i.invitedAt })),
  };
}

export function partyViews(parties: readonly (PartyState | CurrentPartyState)[]): PartyView[] {
  return newest(parties.map(partyView).filter((p): p is PartyView => p !== null), LIST_CAPS.partyInvitations);
}

export function playlistViews(data: SuccessData<'matchmaking/list'>): PlaylistView[] {
  const names = (items: readonly string[]) => items.slice(0, LIST_CAPS.playlistItems).map((n) => clip(n, TEXT_CAPS.name));
  return data.playlists.filter((p) => isUsableId(p.id)).slice(0, LIST_CAPS.playlists).map((p) => ({
    id: p.id, name: clip(p.name, TEXT_CAPS.name), numOfTeams: p.numOfTeams, teamSize: p.teamSize, ranked: p.ranked,
    version: playlistVersionOf(p),
    engines: names(p.engines.map((e) => e.version)), games: names(p.games.map((g) => g.springName)), maps: names(p.maps.map((m) => m.springName)),
  }));
}

/** The current revision's playlists carry a version; a 1.13.0 server's do not. */
function playlistVersionOf(playlist: object): string | null {
  const version = (playlist as { version?: unknown }).version;
  return typeof version === 'string' ? clip(version, TEXT_CAPS.id) : null;
}

/** Queue ids as the server names them, capped; ids too long to be real are dropped. */
export function queueIds(queues: readonly string[]): string[] {
  return queues.filter(isUsableId).slice(0, LIST_CAPS.queues);
}

/** A chat line, or null when its sender or party id is unusable. Long markers become digests (caps.ts). */
type ChatSource = EventData<'messaging/received'>['source'];

export function chatLine(data: EventData<'messaging/received'>): ChatLine | null {
  const source = data.source;
  if (!isUsableId(source.userId)) return null;
  if (source.type === 'party' && !isUsableId(source.partyId)) return null;
  if (source.type === 'lobby' && !isUsableId(source.lobbyId)) return null;
  return {
    marker: markerKey(data.marker),
    // The server sends microseconds; the UI wants milliseconds.
    at: Math.floor(data.timestamp / 1000),
    fromUserId: source.userId,
    channel: chatChannel(source),
    text: clip(data.message, TEXT_CAPS.chatText),
  };
}

function chatChannel(source: ChatSource): ChatChannel {
  switch (source.type) {
    case 'player': return { type: 'player', userId: source.userId };
    case 'party': return { type: 'party', partyId: source.partyId };
    case 'lobby': return { type: 'lobby', lobbyId: source.lobbyId };
    default: return assertNever(source);
  }
}

/** What the player may see of a battle/start: names capped, never the password. */
export function battleView(data: BattleStartRequestData): BattleView {
  return {
    phase: 'launching', map: clip(data.map.springName, TEXT_CAPS.name), game: clip(data.game.springName, TEXT_CAPS.name),
    engine: clip(data.engine.version, TEXT_CAPS.name), host: clip(`${data.ip}:${data.port}`, TEXT_CAPS.name),
  };
}

// ---- matchmaking state machine: idle → queued → found → readied → battle, with lost / cancelled ----

export function mmQueued(state: MatchmakingView, queues: readonly string[]): MatchmakingView {
  return { ...state, phase: 'queued', queues: queueIds(queues), found: null, readyCount: 0, cancelReason: null };
}

/** The longest ready check a found match may show; the schema bounds neither `timeoutMs` nor `timeoutAt`. */
const READY_TIMEOUT_MAX_MS = 10 * 60_000;

export function mmFound(state: MatchmakingView, queueId: string, timeoutMs: number, now: number): MatchmakingView {
  queueId = clip(queueId, TEXT_CAPS.id);
  // timeoutMs is unbounded in the schema: clamp so a hostile value cannot make a nonsense countdown.
  const clamped = Number.isFinite(timeoutMs) ? Math.max(0, Math.min(timeoutMs, READY_TIMEOUT_MAX_MS)) : 0;
  return { ...state, phase: 'found', found: { queueId, timeoutMs: clamped, deadline: now + clamped }, readyCount: 0 };
}

export function mmReadied(state: MatchmakingView): MatchmakingView {
  return state.phase === 'found' ? { ...state, phase: 'readied' } : state;
}

export function mmReadyCount(state: MatchmakingView, readyCount: number): MatchmakingView {
  return { ...state, readyCount: Math.max(0, readyCount) };
}

/** The found match fell apart because someone else did not ready: we are still queued. */
export function mmLost(state: MatchmakingView): MatchmakingView {
  return { ...state, phase: 'lost', found: null, readyCount: 0 };
}

export function mmCancelled(state: MatchmakingView, reason: CancelReason): MatchmakingView {
  return { ...state, phase: 'cancelled', queues: [], found: null, readyCount: 0, cancelReason: reason, playersQueued: null };
}

export function mmBattle(state: MatchmakingView): MatchmakingView {
  return { ...state, phase: 'battle', found: null, queues: [] };
}

export function mmIdle(state: MatchmakingView): MatchmakingView {
  return { ...state, phase: 'idle', queues: [], found: null, readyCount: 0, playersQueued: null };
}

/**
 * Our matchmaking as the server keeps it (the current revision's `user/self.matchmaking`), which wins over what we believed:
 * `queuing` is queued for those queues, `found` a match waiting for our ready (readied when we had already readied), and
 * `no_matchmaking` idle when we believed we were in a queue (a cancelled or battle view is left as it is).
 */
export function mmFromServer(state: MatchmakingView, server: MatchmakingState, now: number): MatchmakingView {
  switch (server.state) {
    case 'no_matchmaking':
      return isInQueue(state) ? mmIdle(state) : state;
    case 'queuing':
      return mmQueued(state, server.queues.map((q) => q.id));
    case 'found': {
      const { queue } = server;
      // `timeoutAt` is microseconds since the epoch; what is left of it is clamped as a `found`'s timeoutMs is.
      const found = mmFound(mmQueued(state, [queue.id, ...server.otherQueues.map((q) => q.id)]), queue.id, Math.floor(queue.timeoutAt / 1000) - now, now);
      const sameMatch = (state.phase === 'found' || state.phase === 'readied') && state.found?.queueId === found.found?.queueId;
      const readyCount = Math.max(sameMatch ? state.readyCount : 0, queue.hasAlreadyReadied ? 1 : 0);
      return { ...found, phase: queue.hasAlreadyReadied ? 'readied' : 'found', readyCount };
    }
    default:
      return assertNever(server);
  }
}

/** `playersQueued` is a string in 1.13.0: parse it, and ignore anything that is not a sane count. */
export function parsePlayersQueued(text: string): number | null {
  if (!/^\d{1,9}$/.test(text.trim())) return null;
  return Number(text.trim());
}
