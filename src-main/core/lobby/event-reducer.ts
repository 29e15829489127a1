// The server's user-actor events as pure updates: (view, event, now) → the patches to publish and the side effects the shell
// runs after them (presence to watch, chat marker to save). No socket, no timer, no store writes: testable with plain data.
import type { AnyEvent, EventOf } from '../protocol/commands';
import { validateMessage } from '../protocol/validation';
import { isInQueue } from '../../shared/matchmaking';
import type { FriendsView, LobbiesView, LobbyPatch, LobbyRoomView, MatchmakingView, PartiesView, SelfView, UserView } from './state';
import {
  chatLine, friendsFromSelf, mergeUser, mmCancelled, mmFound, mmFromServer, mmIdle, mmLost, mmQueued, mmReadyCount, parsePlayersQueued,
  partyView, partyViews, queueIds, selfView, userView, boundedFriends, unixTimeMs,
} from './reducers';
import { cancelText, lobbyLeftText, oneLine, partyQueuedText, queueLostText, voteEndedText } from './failure-text';
import { applyLobbyUpdate, endVote, listFromReset, listWithUpdate, lobbyMemberIds } from './custom-lobby-reducer';
import { isUsableId, LIST_CAPS, newest } from './caps';
import { LOBBY_LIMITS } from '../../shared/lobby-reducers';
import { revisionOfSelf } from './protocol-revision';

/** What an event may read of the lobby: the core's `LobbyStore` is one. */
export interface LobbyReadView {
  readonly view: {
    readonly self: SelfView | null;
    readonly matchmaking: MatchmakingView;
    readonly friends: FriendsView;
    readonly party: PartiesView;
    readonly lobbies: LobbiesView;
    readonly lobby: LobbyRoomView | null;
  };
  user(userId: string): UserView | undefined;
  readonly userCount: number;
  /** Known user ids, heard of longest ago first. */
  userIds(): Iterable<string>;
  /** Whether a value of the state was made in this burst and seen by no one yet, so it may be updated in place. */
  isDraft?(value: object): boolean;
}

export interface EventOutcome {
  /** Published in order. */
  readonly patches: LobbyPatch[];
  /** Users whose presence to subscribe to once the patches have landed. */
  readonly watch: readonly string[];
  /** A chat history marker to keep for the next subscribe. */
  readonly saveMarker?: string;
  /** The key of a chat line this outcome shows, so a replay of it is shown once. */
  readonly shownMarker?: string;
  /**
   * Queues to join again: a server of the revision before `user/self.matchmaking` does not say whether it kept our place
   * across a reconnect, so we ask for it again.
   */
  readonly requeue?: readonly string[];
  /**
   * `user/self` after a reconnect names the custom lobby the server still has us in: its state is fetched again (`lobby/join`
   * of the lobby one is in answers its details and changes nothing, Teiserver's session), since the events sent while we
   * were away are lost.
   */
  readonly restoreLobby?: string;
  /** A value the patches carry that no one has seen yet (the lobby list's entries): the next change in this burst may reuse it. */
  readonly draft?: object;
  /** Why the event changed nothing, for the log. */
  readonly ignored?: { readonly level: 'warn' | 'debug'; readonly text: string };
}

/**
 * One server event applied to the view. `shown` tells whether a chat line's key was already shown (a replay after a
 * reconnect repeats the edge of the history).
 */
export function reduceEvent(lobby: LobbyReadView, event: AnyEvent, now: number, shown: (marker: string) => boolean): EventOutcome {
  const view = lobby.view;
  switch (event.commandId) {
    case 'user/self': {
      const user = event.data.user;
      if (!isUsableId(user.userId)) return ignored('warn', 'ignored user/self: the user id is longer than any real one');
      const mm = matchmakingFromSelf(view.matchmaking, event, now);
      const lobby = lobbyFromSelf(view.lobby, (user as { currentLobby?: unknown }).currentLobby, now);
      return {
        ...lobby,
        patches: [
          { slice: 'self', value: selfView(user) },
          { slice: 'users', upsert: [userView(user)], remove: [] },
          { slice: 'friends', value: friendsFromSelf(user) },
          { slice: 'party', value: { current: user.party ? partyView(user.party) : null, invitations: partyViews(user.invitedToParties) } },
          ...mm.patches,
          { slice: 'protocol', value: revisionOfSelf(user) },
          ...lobby.patches,
        ],
        watch: [...user.friendIds, ...(user.party?.members.map((m) => m.userId) ?? [])],
        ...(mm.requeue ? { requeue: mm.requeue } : {}),
      };
    }
    case 'user/updated': {
      const upsert: UserView[] = [];
      for (const diff of event.data.users) {
        const merged = mergeUser(diff.userId !== undefined ? lobby.user(diff.userId) : undefined, diff);
        if (merged) upsert.push(merged);
      }
      const patches: LobbyPatch[] = [];
      if (upsert.length > 0) patches.push({ slice: 'users', upsert, remove: usersToEvict(lobby, upsert) });
      const self = view.self;
      let mine: UserView | undefined;
      if (self) for (const user of upsert) if (user.userId === self.userId) mine = user;
      if (self && mine && mine.status !== self.status) patches.push({ slice: 'self', value: { ...self, status: mine.status } });
      // Teiserver sends no `battle/ended`: the battle is over for the server when it puts us back in the menu.
      if (self?.status === 'playing' && mine?.status === 'menu' && view.matchmaking.phase === 'battle') patches.push({ slice: 'matchmaking', value: mmIdle(view.matchmaking) });
      return { patches, watch: [] };
    }
    case 'messaging/received': {
      const line = chatLine(event.data);
      if (!line) return { patches: [], watch: [] };
      // Only a marker we could send back is worth keeping for the next subscribe (a digest could not be).
      const saveMarker = line.marker === event.data.marker ? { saveMarker: line.marker } : {};
      if (shown(line.marker)) return { patches: [], watch: [], ...saveMarker };
      return { patches: [{ slice: 'chat', append: [line] }], watch: [line.fromUserId], shownMarker: line.marker, ...saveMarker };
    }
    case 'matchmaking/queueUpdate':
      return matchmaking({ ...view.matchmaking, playersQueued: parsePlayersQueued(event.data.playersQueued) });
    case 'matchmaking/queuesJoined': {
      // Sent to the other members when one of the party queues: the party is in those queues now.
      const outcome = matchmaking(mmQueued(view.matchmaking, event.data.queues));
      const queues = queueIds(event.data.queues);
      if (queues.length > 0) outcome.patches.push({ slice: 'notice', value: { at: now, level: 'info', text: partyQueuedText(view.matchmaking.playlists, queues) } });
      return outcome;
    }
    case 'matchmaking/found':
      return matchmaking(mmFound(view.matchmaking, event.data.queueId, event.data.timeoutMs, now));
    case 'matchmaking/foundUpdate':
      return matchmaking(mmReadyCount(view.matchmaking, event.data.readyCount));
    case 'matchmaking/lost':
      return matchmaking(mmLost(view.matchmaking));
    case 'matchmaking/cancelled': {
      const reason = event.data.reason;
      const outcome = matchmaking(mmCancelled(view.matchmaking, reason));
      // Teiserver may add `details` (the internal error, e.g. `no_host_available`), which the schema does not declare.
      const details = (event.data as { details?: unknown }).details;
      if (reason !== 'intentional') outcome.patches.push({ slice: 'notice', value: { at: now, level: 'warning', text: cancelText(reason, details) } });
      return outcome;
    }
    case 'friend/requestReceived': {
      const from = event.data.from;
      if (!isUsableId(from)) return { patches: [], watch: [] };
      return { patches: [friendsPatch(view.friends, (f) => ({ ...f, incoming: [...f.incoming.filter((r) => r.userId !== from), { userId: from, sentAt: now }] }))], watch: [from] };
    }
    case 'friend/requestAccepted': {
      const from = event.data.from;
      if (!isUsableId(from)) return { patches: [], watch: [] };
      return {
        patches: [friendsPatch(view.friends, (f) => ({
          friendIds: f.friendIds.includes(from) ? f.friendIds : [...f.friendIds, from],
          incoming: f.incoming.filter((r) => r.userId !== from),
          outgoing: f.outgoing.filter((r) => r.userId !== from),
        }))],
        watch: [from],
      };
    }
    case 'friend/requestRejected':
      return friends(view.friends, (f) => ({ ...f, outgoing: f.outgoing.filter((r) => r.userId !== event.data.from) }));
    case 'friend/requestCancelled':
      return friends(view.friends, (f) => ({ ...f, incoming: f.incoming.filter((r) => r.userId !== event.data.from) }));
    case 'friend/removed':
      return friends(view.friends, (f) => ({ ...f, friendIds: f.friendIds.filter((id) => id !== event.data.from) }));
    case 'party/invited': {
      const invite = partyView(event.data.party);
      if (!invite) return { patches: [], watch: [] };
      return {
        patches: [partyPatch(view.party, (p) => ({ ...p, invitations: [...p.invitations.filter((i) => i.id !== invite.id), invite] }))],
        watch: invite.members.map((m) => m.userId),
      };
    }
    case 'party/updated': {
      const party = partyView(event.data);
      if (!party) return { patches: [], watch: [] };
      const isMember = party.members.some((m) => m.userId === view.self?.userId);
      return {
        patches: [partyPatch(view.party, (p) => ({
          current: isMember ? party : p.current?.id === party.id ? null : p.current,
          invitations: isMember ? p.invitations.filter((i) => i.id !== party.id) : p.invitations.map((i) => (i.id === party.id ? party : i)),
        }))],
        watch: [...party.members, ...party.invited].map((m) => m.userId),
      };
    }
    case 'party/removed':
      return {
        patches: [partyPatch(view.party, (p) => ({
          current: p.current?.id === event.data.partyId ? null : p.current,
          invitations: p.invitations.filter((i) => i.id !== event.data.partyId),
        }))],
        watch: [],
      };
    case 'lobby/updated': {
      const room = view.lobby;
      if (!room || room.id !== event.data.id) return ignored('debug', 'ignored lobby/updated for a lobby we are not in');
      const next = applyLobbyUpdate(room, event.data);
      // Newcomers arrive as bare ids: follow them so the room shows their names (only an update that names people has any).
      const { players, spectators, bosses } = event.data;
      const members = players !== undefined || spectators !== undefined || bosses !== undefined;
      return { patches: [{ slice: 'lobby', value: next }], watch: members ? lobbyMemberIds(next) : [] };
    }
    case 'lobby/listReset':
      // Only while the player watches the list (a late one after unsubscribing would bring back a list nobody keeps live).
      if (!view.lobbies.watching) return ignored('debug', 'ignored lobby/listReset: the list is not watched');
      return { patches: [{ slice: 'lobbies', value: { watching: true, loaded: true, entries: listFromReset(event.data.lobbies) } }], watch: [] };
    case 'lobby/listUpdated': {
      if (!view.lobbies.watching) return ignored('debug', 'ignored lobby/listUpdated: the list is not watched');
      // A list of a few hundred lobbies is copied once per burst of updates, not once per update.
      const entries = listWithUpdate(view.lobbies.entries, event.data.lobbies, lobby.isDraft?.(view.lobbies.entries) ?? false);
      return { patches: [{ slice: 'lobbies', value: { ...view.lobbies, entries } }], watch: [], draft: entries };
    }
    case 'lobby/left': {
      const room = view.lobby;
      if (!room || room.id !== event.data.id) return ignored('debug', 'ignored lobby/left for a lobby we are not in');
      const bannedUntil = event.data.bannedUntil !== undefined ? unixTimeMs(event.data.bannedUntil) : null;
      return {
        patches: [
          { slice: 'lobby', value: null },
          { slice: 'notice', value: { at: now, level: 'warning', text: lobbyLeftText(room.name, event.data.reason, bannedUntil) } },
        ],
        watch: [],
      };
    }
    case 'lobby/voteEnded': {
      const room = view.lobby;
      if (!room) return ignored('debug', 'ignored lobby/voteEnded outside a lobby');
      const { room: next, ended } = endVote(room, event.data.id, event.data.outcome, now);
      const patches: LobbyPatch[] = [];
      if (next !== room) patches.push({ slice: 'lobby', value: next });
      patches.push({ slice: 'notice', value: { at: now, level: 'info', text: voteEndedText(ended?.action ?? null, event.data.outcome) } });
      return { patches, watch: [] };
    }
    default:
      // Events for other actors (autohost/*) never reach a user session; the schema check already dropped unknown ones.
      return ignored('debug', `ignored event ${event.commandId}`);
  }
}

/** The friends slice after `change`, within its caps. */
export function friendsPatch(current: FriendsView, change: (f: FriendsView) => FriendsView): LobbyPatch {
  return { slice: 'friends', value: boundedFriends(change(current)) };
}

/** The party slice after `change`, invitations within their cap. */
export function partyPatch(current: PartiesView, change: (p: PartiesView) => PartiesView): LobbyPatch {
  const next = change(current);
  return { slice: 'party', value: { ...next, invitations: newest(next.invitations, LIST_CAPS.partyInvitations) } };
}

/**
 * Which known users to forget so the store stays within its cap after `incoming` lands: those heard of longest ago,
 * never ourselves, a friend or a party member.
 */
export function usersToEvict(lobby: LobbyReadView, incoming: readonly UserView[]): string[] {
  // Far below the cap (every session but the busiest), nothing to count.
  if (lobby.userCount + incoming.length <= LOBBY_LIMITS.users) return [];
  const fresh = new Set(incoming.filter((u) => lobby.user(u.userId) === undefined).map((u) => u.userId)).size;
  let excess = lobby.userCount + fresh - LOBBY_LIMITS.users;
  if (excess <= 0) return [];
  const view = lobby.view;
  const keep = new Set([view.self?.userId, ...view.friends.friendIds, ...(view.party.current?.members.map((m) => m.userId) ?? [])]);
  for (const user of incoming) keep.add(user.userId);
  const evict: string[] = [];
  for (const userId of lobby.userIds()) {
    if (excess <= 0) break;
    if (keep.has(userId)) continue;
    evict.push(userId);
    excess--;
  }
  return evict;
}

/**
 * What `user/self` says of our matchmaking. The current revision carries the server's state, which wins (and when it has no
 * place for us where we believed we had one, the player is told); a 1.13.0 one carries none, so a place we believed we had
 * is asked for again. Only a `user/self` valid in the current revision is trusted for it: 1.13.0's schema lets any
 * `matchmaking` value through.
 */
function matchmakingFromSelf(mm: MatchmakingView, event: EventOf<'user/self'>, now: number): { patches: LobbyPatch[]; requeue?: readonly string[] } {
  const user = event.data.user;
  if (!('matchmaking' in user) || !validateMessage(event, 'current').ok) {
    return isInQueue(mm) && mm.queues.length > 0 ? { patches: [], requeue: mm.queues } : { patches: [] };
  }
  const next = mmFromServer(mm, user.matchmaking, now);
  if (next === mm) return { patches: [] };
  const patches: LobbyPatch[] = [{ slice: 'matchmaking', value: next }];
  if (user.matchmaking.state === 'no_matchmaking') {
    patches.push({ slice: 'notice', value: { at: now, level: 'warning', text: queueLostText(mm.playlists, mm.queues) } });
  }
  return { patches };
}

/**
 * What `user/self` says of our custom lobby: the one it names is fetched again (`restoreLobby`); none, where we believed we
 * were in one, means the server let us go while we were away, and the player is told.
 */
function lobbyFromSelf(room: LobbyRoomView | null, currentLobby: unknown, now: number): { patches: LobbyPatch[]; restoreLobby?: string } {
  if (typeof currentLobby === 'string' && isUsableId(currentLobby)) return { patches: [], restoreLobby: currentLobby };
  if (!room) return { patches: [] };
  const text = `The server no longer has you in the lobby${room.name ? ` ${oneLine(room.name, 80)}` : ''}.`;
  return { patches: [{ slice: 'lobby', value: null }, { slice: 'notice', value: { at: now, level: 'warning', text } }] };
}

function matchmaking(value: MatchmakingView): { patches: LobbyPatch[]; watch: readonly string[] } {
  return { patches: [{ slice: 'matchmaking', value }], watch: [] };
}

function friends(current: FriendsView, change: (f: FriendsView) => FriendsView): EventOutcome {
  return { patches: [friendsPatch(current, change)], watch: [] };
}

function ignored(level: 'warn' | 'debug', text: string): EventOutcome {
  return { patches: [], watch: [], ignored: { level, text } };
}
