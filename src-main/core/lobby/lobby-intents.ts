// The player's own requests (queue, ready, chat, friends, party): check the input, ask the server, and on success publish what changed.
import { randomUUID } from 'node:crypto';
import type { RequestCommandId, RequestData, SuccessData } from '../protocol/commands';
import type { LobbyStore } from './store';
import { IntentError, type ChatTarget } from './intents';
import { MESSAGE_MAX_CHARS, type ChatChannel, type LobbyPatch, type MatchmakingView, type Notice } from './state';
import { mmIdle, mmQueued, mmReadied, partyView, playlistViews } from './reducers';
import { friendsPatch, partyPatch } from './event-reducer';
import { hintOfPartyCreate, hintOfPlaylists, withHint, type RevisionHint } from './protocol-revision';
import { failureText } from './failure-text';

/** What the intents and the session opening need from the lobby client that drives them. */
export interface LobbyCalls {
  readonly store: LobbyStore;
  readonly now: () => number;
  /** A request on the live session; every failure rejects with an IntentError. */
  call<C extends RequestCommandId>(commandId: C, data: RequestData<C>): Promise<SuccessData<C>>;
  /** A request whose failure is logged, not thrown: for the background requests the player did not ask for. */
  quietCall<C extends RequestCommandId>(commandId: C, data: RequestData<C>): Promise<SuccessData<C> | null>;
  /** How many server events have moved matchmaking so far: a late answer must not overwrite newer news. */
  matchmakingEvents(): number;
  watchUsers(userIds: readonly string[]): void;
  notice(level: Notice['level'], text: string): void;
}

export type FriendRequestKind = 'send' | 'accept' | 'reject' | 'cancel' | 'remove';
export type PartyIntentKind = 'create' | 'invite' | 'cancelInvite' | 'kick' | 'accept' | 'decline' | 'leave';

export class PlayerIntents {
  constructor(private readonly lobby: LobbyCalls) {}

  async queue(queues: readonly string[]): Promise<void> {
    const ids = queues.map((q) => q.trim()).filter((q) => q.length > 0);
    if (ids.length === 0) throw new IntentError('invalid_input', 'Choose at least one playlist.');
    const before = this.lobby.matchmakingEvents();
    await this.sendQueue(ids);
    // A `found` can arrive in the same TCP read as the answer and be applied first: keep it.
    if (before === this.lobby.matchmakingEvents()) this.setMatchmaking(mmQueued(this.mm, ids));
    else this.setMatchmaking({ ...this.mm, queues: ids });
  }

  /**
   * Sends `matchmaking/queue` for these playlists in the shape the server's revision takes. When the queue changed on the
   * server since we listed it (`version_mismatch`), lists again and tries once more with the new versions.
   */
  async sendQueue(ids: readonly string[]): Promise<void> {
    try {
      await this.lobby.call('matchmaking/queue', await this.queueRequest(ids));
    } catch (error) {
      if (!(error instanceof IntentError && error.reason === 'version_mismatch')) throw error;
      await this.refreshPlaylists();
      try {
        await this.lobby.call('matchmaking/queue', await this.queueRequest(ids));
      } catch (again) {
        if (again instanceof IntentError && again.reason === 'version_mismatch') {
          throw new IntentError('rejected', 'The queue keeps changing on the server; try again in a moment.', 'version_mismatch');
        }
        throw again;
      }
    }
  }

  /**
   * The current revision names each queue with the version `matchmaking/list` gave it; a 1.13.0 server's playlists have no
   * version and take bare ids. The list is fetched first when it is not known yet.
   */
  private async queueRequest(ids: readonly string[]): Promise<RequestData<'matchmaking/queue'>> {
    if (ids.some((id) => !this.mm.playlists.some((p) => p.id === id))) await this.refreshPlaylists();
    // Not in the list the server just gave: it would refuse it, and there is no version to name it with.
    if (ids.some((id) => !this.mm.playlists.some((p) => p.id === id))) {
      throw new IntentError('rejected', failureText('matchmaking/queue', 'invalid_queue_specified'), 'invalid_queue_specified');
    }
    const playlists = ids.map((id) => this.mm.playlists.find((p) => p.id === id));
    const versions = playlists.map((p) => p?.version ?? null);
    if (versions.every((v): v is string => v !== null)) return { queues: ids.map((id, i) => ({ id, version: versions[i] as string })) };
    return { queues: [...ids] };
  }

  async cancelQueue(): Promise<void> {
    try {
      await this.lobby.call('matchmaking/cancel', undefined);
    } catch (error) {
      if (!(error instanceof IntentError && error.reason === 'not_queued')) throw error;
      this.setMatchmaking(mmIdle(this.mm)); // the server had already forgotten us: agree with it
    }
  }

  async ready(): Promise<void> {
    if (this.mm.phase !== 'found') throw new IntentError('invalid_input', 'There is no match to ready up for.');
    await this.lobby.call('matchmaking/ready', undefined);
    this.setMatchmaking(mmReadied(this.mm));
  }

  async refreshPlaylists(): Promise<void> {
    const list = await this.lobby.call('matchmaking/list', undefined);
    this.setMatchmaking({ ...this.mm, playlists: playlistViews(list) });
    this.learnRevision(hintOfPlaylists(list.playlists));
  }

  async sendChat(target: ChatTarget, text: string): Promise<void> {
    if (text.trim().length === 0) throw new IntentError('invalid_input', 'The message is empty.');
    if ([...text].length > MESSAGE_MAX_CHARS) throw new IntentError('invalid_input', `The message is too long: at most ${MESSAGE_MAX_CHARS} characters.`);
    const wireTarget = target.type === 'player' ? { type: 'player' as const, userId: target.userId } : { type: target.type };
    await this.lobby.call('messaging/send', { target: wireTarget, message: text });
    const channel = this.echoChannel(target);
    if (!channel) return;
    this.publish({
      slice: 'chat',
      append: [{ marker: `local:${randomUUID()}`, at: this.lobby.now(), fromUserId: this.lobby.store.view.self?.userId ?? '', channel, text }],
    });
  }

  /**
   * The thread our own line shows in. A lobby message names no lobby (the server sends it to the one we are in): the custom
   * lobby we are in, else the lobby whose lines we last received; with neither there is no thread to show it in.
   */
  private echoChannel(target: ChatTarget): ChatChannel | null {
    const { party, chat, lobby } = this.lobby.store.view;
    if (target.type === 'player') return { type: 'player', userId: target.userId };
    if (target.type === 'party') return { type: 'party', partyId: party.current?.id ?? '' };
    if (lobby) return { type: 'lobby', lobbyId: lobby.id };
    const last = chat.findLast((line) => line.channel.type === 'lobby');
    return last ? last.channel : null;
  }

  async friendRequest(kind: FriendRequestKind, userId: string): Promise<void> {
    const friends = () => this.lobby.store.view.friends;
    if (kind === 'send') {
      await this.lobby.call('friend/sendRequest', { to: userId });
      this.publish(friendsPatch(friends(), (f) => ({ ...f, outgoing: [...f.outgoing.filter((r) => r.userId !== userId), { userId, sentAt: this.lobby.now() }] })));
    } else if (kind === 'accept') {
      await this.lobby.call('friend/acceptRequest', { from: userId });
      this.publish(friendsPatch(friends(), (f) => ({
        ...f, friendIds: [...f.friendIds.filter((id) => id !== userId), userId], incoming: f.incoming.filter((r) => r.userId !== userId),
      })));
    } else if (kind === 'reject') {
      await this.lobby.call('friend/rejectRequest', { from: userId });
      this.publish(friendsPatch(friends(), (f) => ({ ...f, incoming: f.incoming.filter((r) => r.userId !== userId) })));
    } else if (kind === 'cancel') {
      await this.lobby.call('friend/cancelRequest', { to: userId });
      this.publish(friendsPatch(friends(), (f) => ({ ...f, outgoing: f.outgoing.filter((r) => r.userId !== userId) })));
    } else {
      await this.lobby.call('friend/remove', { userId });
      this.publish(friendsPatch(friends(), (f) => ({ ...f, friendIds: f.friendIds.filter((id) => id !== userId) })));
    }
    this.lobby.watchUsers([userId]);
  }

  async party(kind: PartyIntentKind, id?: string): Promise<void> {
    const need = (): string => {
      if (!id) throw new IntentError('invalid_input', 'Missing the user or party to act on.');
      return id;
    };
    const party = () => this.lobby.store.view.party;
    switch (kind) {
      case 'create': {
        const answer = await this.lobby.call('party/create', undefined);
        this.learnRevision(hintOfPartyCreate(answer));
        // The current revision answers the whole party; a 1.13.0 server only its id, so we draw it with us alone in it.
        const selfId = this.lobby.store.view.self?.userId ?? '';
        const created = 'party' in answer
          ? partyView(answer.party)
          : { id: answer.partyId, maxMembers: null, members: [{ userId: selfId, joinedAt: this.lobby.now() }], invited: [] };
        if (!created) return;
        this.publish(partyPatch(party(), (p) => ({ ...p, current: p.current?.id === created.id ? p.current : created })));
        return;
      }
      case 'invite': await this.lobby.call('party/invite', { userId: need() }); return;
      case 'cancelInvite': await this.lobby.call('party/cancelInvite', { userId: need() }); return;
      case 'kick': await this.lobby.call('party/kickMember', { userId: need() }); return;
      case 'accept': await this.lobby.call('party/acceptInvite', { partyId: need() }); return;
      case 'decline':
        await this.lobby.call('party/declineInvite', { partyId: need() });
        this.publish(partyPatch(party(), (p) => ({ ...p, invitations: p.invitations.filter((i) => i.id !== id) })));
        return;
      case 'leave':
        await this.lobby.call('party/leave', undefined);
        this.publish(partyPatch(party(), (p) => ({ ...p, current: null })));
        return;
    }
  }

  private get mm(): MatchmakingView {
    return this.lobby.store.view.matchmaking;
  }

  private setMatchmaking(value: MatchmakingView): void {
    this.publish({ slice: 'matchmaking', value });
  }

  /** What an answer's shape says of the server's protocol revision (protocol-revision.ts). */
  private learnRevision(hint: RevisionHint | null): void {
    if (hint === null) return;
    const known = this.lobby.store.view.connection.protocol;
    const learnt = withHint(known, hint);
    if (learnt !== known) this.publish({ slice: 'protocol', value: learnt });
  }

  private publish(patch: LobbyPatch): void {
    this.lobby.store.publish(patch);
  }
}
