// Pure translations of what the server says into lobby views: copy known fields only, never spread a server object.
import type { MessagingReceivedEventData, PartyState, PrivateUser, User, UserUpdatedEventData } from 'tachyon-protocol/types';
import type { ChatLine, FriendsView, MatchmakingView, PartyView, PlaylistView, SelfView, UserView, CancelReason } from './state';
import type { MatchmakingListOkResponseData } from 'tachyon-protocol/types';

type UserDiff = UserUpdatedEventData['users'][number];

export function selfView(user: PrivateUser): SelfView {
  return { userId: user.userId, username: user.username, displayName: user.displayName, status: user.status };
}

export function userView(user: User): UserView {
  return mergeUser(undefined, user) as UserView;
}

/** Merges a `user/updated` entry (full the first time, then diffs) into what we know; null when it cannot be placed. */
export function mergeUser(known: UserView | undefined, diff: UserDiff): UserView | null {
  const userId = diff.userId ?? known?.userId;
  if (userId === undefined) return null;
  const merged: { -readonly [K in keyof UserView]: UserView[K] } = {
    userId,
    username: diff.username ?? known?.username ?? '',
    displayName: diff.displayName ?? known?.displayName ?? diff.username ?? known?.username ?? '',
    clanId: diff.clanId !== undefined ? diff.clanId : (known?.clanId ?? null),
    status: diff.status ?? known?.status ?? 'offline',
  };
  const countryCode = diff.countryCode ?? known?.countryCode;
  if (countryCode !== undefined) merged.countryCode = countryCode;
  const rating = diff.rating ? diff.rating.value : known?.rating;
  if (rating !== undefined) merged.rating = rating;
  return merged;
}

export function friendsFromSelf(user: PrivateUser): FriendsView {
  return {
    friendIds: user.friendIds.slice(),
    incoming: user.incomingFriendRequest.map((r) => ({ userId: r.from, sentAt: r.sentAt })),
    outgoing: user.outgoingFriendRequest.map((r) => ({ userId: r.to, sentAt: r.sentAt })),
  };
}

export function partyView(party: PartyState): PartyView {
  return {
    id: party.id,
    members: party.members.map((m) => ({ userId: m.userId, joinedAt: m.joinedAt })),
    invited: party.invited.map((i) => ({ userId: i.userId, invitedAt: i.invitedAt })),
  };
}

export function playlistViews(data: MatchmakingListOkResponseData): PlaylistView[] {
  return data.playlists.map((p) => ({
    id: p.id, name: p.name, numOfTeams: p.numOfTeams, teamSize: p.teamSize, ranked: p.ranked,
    engines: p.engines.map((e) => e.version), games: p.games.map((g) => g.springName), maps: p.maps.map((m) => m.springName),
  }));
}

export function chatLine(data: MessagingReceivedEventData): ChatLine {
  const source = data.source;
  return {
    marker: data.marker,
    // The server sends microseconds; the UI wants milliseconds.
    at: Math.floor(data.timestamp / 1000),
    fromUserId: source.userId,
    channel: source.type === 'party' ? { type: 'party', partyId: source.partyId } : { type: 'player', userId: source.userId },
    text: data.message,
  };
}

// ---- matchmaking state machine: idle → queued → found → readied → battle, with lost / cancelled ----

export function mmQueued(state: MatchmakingView, queues: readonly string[]): MatchmakingView {
  return { ...state, phase: 'queued', queues: queues.slice(), found: null, readyCount: 0, cancelReason: null };
}

export function mmFound(state: MatchmakingView, queueId: string, timeoutMs: number, now: number): MatchmakingView {
  // timeoutMs is unbounded in the schema: clamp so a hostile value cannot make a nonsense countdown.
  const clamped = Math.max(0, Math.min(timeoutMs, 10 * 60_000));
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

export function isInQueue(state: MatchmakingView): boolean {
  return state.phase === 'queued' || state.phase === 'found' || state.phase === 'readied' || state.phase === 'lost';
}

/** `playersQueued` is a string in 1.13.0: parse it, and ignore anything that is not a sane count. */
export function parsePlayersQueued(text: string): number | null {
  if (!/^\d{1,9}$/.test(text.trim())) return null;
  return Number(text.trim());
}

export const CANCEL_REASON_TEXT: Record<CancelReason, string> = {
  intentional: 'You left the queue.',
  server_error: 'The server could not start the battle.',
  party_user_left: 'A party member left, so the party left the queue.',
  ready_timeout: 'You did not ready up in time.',
};
