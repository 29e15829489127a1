// The embedded server's social side: presence and user subscriptions, direct and party messages with history markers, friends and parties.
import { randomUUID } from 'node:crypto';
import type { User } from 'tachyon-protocol/types';
import type { CurrentPartyState as PartyState, CurrentPrivateUser as PrivateUser, MatchmakingState } from '../protocol/schemas/index';
import { FailWith } from '../protocol/endpoint';
import type { Account } from './accounts';
import type { EventCommandId, EventData } from '../protocol/commands';
import { emitTo, type ClientSession } from './session';

type Status = User['status'];

interface StoredMessage {
  readonly marker: string;
  readonly message: string;
  readonly source: { type: 'player'; userId: string } | { type: 'party'; partyId: string; userId: string } | { type: 'lobby'; lobbyId: string; userId: string };
  readonly timestamp: number;
}

const HISTORY_LIMIT = 500;
const SUBSCRIPTION_LIMIT = 100;
const MAX_MESSAGE_BYTES = 1024;
/** Members plus open invitations a party may hold (`maxMembers` in every PartyState). */
export const PARTY_MAX_MEMBERS = 8;

export class Community {
  private readonly status = new Map<string, Status>();
  private readonly subscriptions = new Map<string, Set<string>>();
  /** Messages each user received, oldest first; markers index into it. */
  private readonly inbox = new Map<string, StoredMessage[]>();
  private readonly chatSubscribed = new WeakSet<ClientSession>();
  private readonly friends = new Map<string, Map<string, number>>();
  private readonly friendRequests = new Map<string, Map<string, number>>(); // to → from → sentAt
  private readonly parties = new Map<string, PartyState>();
  private lastTimestamp = 0;

  constructor(
    private readonly sessionsOf: (userId: string) => ClientSession[],
    private readonly onlineUserIds: () => string[],
    private readonly accountOf: (userId: string) => Account | undefined,
    private readonly matchmakingOf: (userId: string) => MatchmakingState,
    /** The player's custom-battle lobby (`user/self.currentLobby`) and its members, for lobby chat. */
    private readonly lobbyOf: (userId: string) => { lobbyId: string; memberIds: string[] } | null = () => null,
  ) {}

  /** The name a player has in battles (the host script's Name and battle/start's username). */
  publicUserName(userId: string): string {
    return this.accountOf(userId)?.username ?? `player${userId}`;
  }

  statusOf(userId: string): Status {
    return this.status.get(userId) ?? 'offline';
  }

  setStatus(userId: string, status: Status): void {
    if (this.status.get(userId) === status) return;
    this.status.set(userId, status);
    for (const [subscriber, watched] of this.subscriptions) {
      if (watched.has(userId)) this.emit(subscriber, 'user/updated', { users: [{ userId, status }] });
    }
  }

  publicUser(account: Account): User {
    const user: User = { userId: account.userId, username: account.username, displayName: account.displayName, clanId: null, status: this.statusOf(account.userId) };
    if (account.countryCode) user.countryCode = account.countryCode;
    return user;
  }

  privateUser(account: Account): PrivateUser {
    const userId = account.userId;
    const party = this.partyOf(userId);
    return {
      ...this.publicUser(account),
      party: party ? clone(party) : null,
      invitedToParties: [...this.parties.values()].filter((p) => p.invited.some((i) => i.userId === userId)).map(clone),
      friendIds: [...(this.friends.get(userId)?.keys() ?? [])],
      outgoingFriendRequest: this.outgoingRequests(userId).map(({ to, sentAt }) => ({ to, sentAt })),
      incomingFriendRequest: [...(this.friendRequests.get(userId)?.entries() ?? [])].map(([from, sentAt]) => ({ from, sentAt })),
      ignoreIds: [],
      currentLobby: this.lobbyOf(userId)?.lobbyId ?? null,
      clanInvites: [],
      matchmaking: this.matchmakingOf(userId),
    };
  }

  partyOf(userId: string): PartyState | undefined {
    return [...this.parties.values()].find((p) => p.members.some((m) => m.userId === userId));
  }

  /** Delivers a direct message as the server would (also used by tests to inject chat). */
  deliver(toUserId: string, message: Omit<StoredMessage, 'marker' | 'timestamp'>): StoredMessage {
    const stored: StoredMessage = { ...message, marker: randomUUID(), timestamp: this.nextTimestamp() };
    const box = this.inbox.get(toUserId) ?? [];
    box.push(stored);
    if (box.length > HISTORY_LIMIT) box.splice(0, box.length - HISTORY_LIMIT);
    this.inbox.set(toUserId, box);
    for (const session of this.sessionsOf(toUserId)) {
      if (this.chatSubscribed.has(session)) session.endpoint.sendEvent('messaging/received', toReceived(stored));
    }
    return stored;
  }

  registerHandlers(session: ClientSession): void {
    const { endpoint, account } = session;
    const accountOf = this.accountOf;
    const me = account.userId;

    endpoint.handle('user/info', ({ userId }) => {
      const other = accountOf(userId);
      if (!other) throw new FailWith<'user/info'>('unknown_user');
      return this.publicUser(other);
    });
    endpoint.handle('user/subscribeUpdates', ({ userIds }) => {
      const watched = this.subscriptions.get(me) ?? new Set<string>();
      const fresh = userIds.filter((id) => !watched.has(id));
      if (watched.size + fresh.length > SUBSCRIPTION_LIMIT) throw new FailWith<'user/subscribeUpdates'>('subscription_limit_reached');
      for (const id of fresh) watched.add(id);
      this.subscriptions.set(me, watched);
      const users = fresh.map((id) => accountOf(id)).filter((a): a is Account => a !== undefined).map((a) => this.publicUser(a));
      if (users.length > 0) setImmediate(() => session.endpoint.sendEvent('user/updated', { users }));
      return undefined;
    });
    endpoint.handle('user/unsubscribeUpdates', ({ userIds }) => {
      const watched = this.subscriptions.get(me);
      for (const id of userIds) watched?.delete(id);
      return undefined;
    });

    endpoint.handle('messaging/subscribeReceived', (data) => {
      const since = data.since ?? { type: 'latest' as const };
      const box = this.inbox.get(me) ?? [];
      let replay: StoredMessage[] = [];
      let hasMissedMessages = false;
      if (since.type === 'from_start') replay = box.slice();
      else if (since.type === 'marker') {
        const index = box.findIndex((m) => m.marker === since.value);
        if (index >= 0) replay = box.slice(index + 1);
        else {
          replay = box.slice();
          hasMissedMessages = true; // the marker fell out of history (or never existed)
        }
      }
      this.chatSubscribed.add(session);
      // History arrives as normal events after the response (Tachyon protocol docs, `messaging/subscribeReceived`).
      setImmediate(() => {
        for (const message of replay) session.endpoint.sendEvent('messaging/received', toReceived(message));
      });
      return { hasMissedMessages };
    });
    endpoint.handle('messaging/send', ({ target, message }) => {
      if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES) throw new FailWith<'messaging/send'>('message_too_long', `at most ${MAX_MESSAGE_BYTES} bytes`);
      if (target.type === 'player') {
        if (!accountOf(target.userId) || target.userId === me) throw new FailWith<'messaging/send'>('invalid_target');
        this.deliver(target.userId, { message, source: { type: 'player', userId: me } });
        return undefined;
      }
      if (target.type === 'lobby') {
        // To the other members; Teiserver answers a sender outside any lobby with the inspected atom.
        const lobby = this.lobbyOf(me);
        if (!lobby) throw new FailWith<'messaging/send'>('invalid_request', ':not_in_lobby');
        for (const userId of lobby.memberIds) if (userId !== me) this.deliver(userId, { message, source: { type: 'lobby', lobbyId: lobby.lobbyId, userId: me } });
        return undefined;
      }
      const party = this.partyOf(me);
      if (!party) throw new FailWith<'messaging/send'>('invalid_target', 'not in a party');
      for (const member of party.members) {
        if (member.userId !== me) this.deliver(member.userId, { message, source: { type: 'party', partyId: party.id, userId: me } });
      }
      return undefined;
    });

    endpoint.handle('friend/list', () => ({
      friends: [...(this.friends.get(me)?.entries() ?? [])].map(([userId, addedAt]) => ({ userId, addedAt })),
      outgoingPendingRequests: this.outgoingRequests(me),
      incomingPendingRequests: [...(this.friendRequests.get(me)?.entries() ?? [])].map(([from, sentAt]) => ({ from, sentAt })),
    }));
    endpoint.handle('friend/sendRequest', ({ to }) => {
      if (!accountOf(to) || to === me) throw new FailWith<'friend/sendRequest'>('invalid_user');
      if (this.friends.get(me)?.has(to)) throw new FailWith<'friend/sendRequest'>('already_in_friendlist');
      if (this.friendRequests.get(me)?.has(to)) {
        this.befriend(me, to); // they had asked us already: that is an accept
        this.emit(to, 'friend/requestAccepted', { from: me });
        return undefined;
      }
      const incoming = this.friendRequests.get(to) ?? new Map<string, number>();
      incoming.set(me, Date.now());
      this.friendRequests.set(to, incoming);
      this.emit(to, 'friend/requestReceived', { from: me });
      return undefined;
    });
    endpoint.handle('friend/acceptRequest', ({ from }) => {
      if (!accountOf(from)) throw new FailWith<'friend/acceptRequest'>('invalid_user');
      if (!this.friendRequests.get(me)?.delete(from)) throw new FailWith<'friend/acceptRequest'>('no_pending_request');
      this.befriend(me, from);
      this.emit(from, 'friend/requestAccepted', { from: me });
      return undefined;
    });
    endpoint.handle('friend/rejectRequest', ({ from }) => {
      if (!accountOf(from)) throw new FailWith<'friend/rejectRequest'>('invalid_user');
      if (!this.friendRequests.get(me)?.delete(from)) throw new FailWith<'friend/rejectRequest'>('no_pending_request');
      this.emit(from, 'friend/requestRejected', { from: me });
      return undefined;
    });
    endpoint.handle('friend/cancelRequest', ({ to }) => {
      if (!accountOf(to)) throw new FailWith<'friend/cancelRequest'>('invalid_user');
      if (this.friendRequests.get(to)?.delete(me)) this.emit(to, 'friend/requestCancelled', { from: me });
      return undefined;
    });
    endpoint.handle('friend/remove', ({ userId }) => {
      if (!accountOf(userId)) throw new FailWith<'friend/remove'>('invalid_user');
      if (!this.friends.get(me)?.delete(userId)) throw new FailWith<'friend/remove'>('not_in_friendlist');
      this.friends.get(userId)?.delete(me);
      this.emit(userId, 'friend/removed', { from: me });
      return undefined;
    });

    endpoint.handle('party/create', () => {
      this.leaveParty(me);
      const party: PartyState = { id: randomUUID(), members: [{ userId: me, joinedAt: this.nextTimestamp() }], maxMembers: PARTY_MAX_MEMBERS, invited: [] };
      this.parties.set(party.id, party);
      return { party: clone(party) };
    });
    endpoint.handle('party/invite', ({ userId }) => {
      const party = this.partyOf(me);
      if (!party || !accountOf(userId)) throw new FailWith<'party/invite'>('invalid_request', !party ? 'not in a party' : 'unknown user');
      if (!party.invited.some((i) => i.userId === userId) && !party.members.some((m) => m.userId === userId)) {
        if (party.members.length + party.invited.length >= party.maxMembers) throw new FailWith<'party/invite'>('invalid_request', 'the party is full');
        party.invited.push({ userId, invitedAt: this.nextTimestamp() });
      }
      this.emit(userId, 'party/invited', { party: clone(party) });
      this.broadcastParty(party);
      return undefined;
    });
    endpoint.handle('party/cancelInvite', ({ userId }) => {
      const party = this.partyOf(me);
      if (!party) throw new FailWith<'party/cancelInvite'>('not_in_party');
      const index = party.invited.findIndex((i) => i.userId === userId);
      if (index < 0) throw new FailWith<'party/cancelInvite'>('invalid_invite');
      party.invited.splice(index, 1);
      this.emit(userId, 'party/removed', { partyId: party.id });
      this.broadcastParty(party);
      return undefined;
    });
    endpoint.handle('party/acceptInvite', ({ partyId }) => {
      const party = this.parties.get(partyId);
      const index = party?.invited.findIndex((i) => i.userId === me) ?? -1;
      if (!party || index < 0) throw new FailWith<'party/acceptInvite'>('invalid_request', 'no such invitation');
      this.leaveParty(me);
      party.invited.splice(index, 1);
      party.members.push({ userId: me, joinedAt: this.nextTimestamp() });
      this.broadcastParty(party);
      return undefined;
    });
    endpoint.handle('party/declineInvite', ({ partyId }) => {
      const party = this.parties.get(partyId);
      const index = party?.invited.findIndex((i) => i.userId === me) ?? -1;
      if (!party || index < 0) throw new FailWith<'party/declineInvite'>('invalid_request', 'no such invitation');
      party.invited.splice(index, 1);
      this.broadcastParty(party);
      return undefined;
    });
    // Teiserver's rule (`lib/teiserver/party/server.ex`, kick_user): the kicker must be a member, not merely invited, and so
    // must the target; Tachyon parties have no leader, so any member may kick any other (themselves included, like a leave).
    endpoint.handle('party/kickMember', ({ userId }) => {
      const party = this.partyOf(me);
      if (!party || !party.members.some((m) => m.userId === userId)) throw new FailWith<'party/kickMember'>('invalid_request', 'not a member of your party');
      this.leaveParty(userId);
      return undefined;
    });
    endpoint.handle('party/leave', () => {
      if (!this.partyOf(me)) throw new FailWith<'party/leave'>('invalid_request', 'not in a party');
      this.leaveParty(me);
      return undefined;
    });
  }

  private leaveParty(userId: string): void {
    const party = this.partyOf(userId);
    if (!party) return;
    party.members = party.members.filter((m) => m.userId !== userId);
    this.emit(userId, 'party/removed', { partyId: party.id });
    if (party.members.length === 0) {
      this.parties.delete(party.id);
      for (const invite of party.invited) this.emit(invite.userId, 'party/removed', { partyId: party.id });
      return;
    }
    this.broadcastParty(party);
  }

  private broadcastParty(party: PartyState): void {
    for (const member of party.members) this.emit(member.userId, 'party/updated', clone(party));
  }

  private befriend(a: string, b: string): void {
    const now = Date.now();
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const list = this.friends.get(x) ?? new Map<string, number>();
      list.set(y, now);
      this.friends.set(x, list);
      this.friendRequests.get(x)?.delete(y);
    }
  }

  private outgoingRequests(userId: string): { to: string; sentAt: number }[] {
    const out: { to: string; sentAt: number }[] = [];
    for (const [to, incoming] of this.friendRequests) {
      const sentAt = incoming.get(userId);
      if (sentAt !== undefined) out.push({ to, sentAt });
    }
    return out;
  }

  private emit<C extends EventCommandId>(userId: string, commandId: C, ...data: EventData<C> extends undefined ? [] : [EventData<C>]): void {
    emitTo(this.sessionsOf(userId), commandId, ...data);
  }

  /** Microsecond timestamps, unique and increasing. */
  private nextTimestamp(): number {
    this.lastTimestamp = Math.max(this.lastTimestamp + 1, Date.now() * 1000);
    return this.lastTimestamp;
  }
}

function toReceived(message: StoredMessage) {
  return { message: message.message, source: { ...message.source }, timestamp: message.timestamp, marker: message.marker };
}

function clone(party: PartyState): PartyState {
  return { id: party.id, members: party.members.map((m) => ({ ...m })), maxMembers: party.maxMembers, invited: party.invited.map((i) => ({ ...i })) };
}
