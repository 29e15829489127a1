// Our matchmaking from what the server says, without sockets: user/self's `matchmaking` (the server's word wins, hostile
// deadlines clamped), a 1.13.0 user/self that leaves the shell to queue again, and the words for a party's queue.
import { describe, expect, it } from 'vitest';
import { reduceEvent } from '../../src-main/core/lobby/event-reducer';
import { mmCancelled, mmFound, mmFromServer, mmQueued, mmReadied, mmReadyCount } from '../../src-main/core/lobby/reducers';
import { queueNames } from '../../src-main/core/lobby/failure-text';
import { LobbyStore } from '../../src-main/core/lobby/store';
import { initialSnapshot, type PlaylistView } from '../../src-main/core/lobby/state';
import type { AnyEvent } from '../../src-main/core/protocol/commands';
import { teiserverSelf } from '../support/scripted-peer';

const NOW = 1_700_000_000_000;
const idle = initialSnapshot().matchmaking;
const duel: PlaylistView = { id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, ranked: true, version: '1', engines: [], games: [], maps: [] };
const never = () => false;

function event(commandId: AnyEvent['commandId'], data: unknown): AnyEvent {
  return { type: 'event', messageId: 'm', commandId, data } as AnyEvent;
}

function foundState(timeoutAt: number, hasAlreadyReadied: boolean) {
  return { state: 'found' as const, queue: { id: '1v1', version: '1', timeoutAt, hasAlreadyReadied }, otherQueues: [{ id: '2v2', version: '3' }] };
}

/** A store that believes it is queued for the duel, with the playlist listed. */
function queuedStore(): LobbyStore {
  const store = new LobbyStore('');
  store.publish({ slice: 'matchmaking', value: mmQueued({ ...idle, playlists: [duel] }, ['1v1']) });
  return store;
}

describe('matchmaking from user/self', () => {
  it('takes queuing and found from the server, the deadline from timeoutAt in microseconds', () => {
    expect(mmFromServer(idle, { state: 'queuing', queues: [{ id: '1v1', version: '1' }, { id: '2v2', version: '3' }] }, NOW)).toMatchObject({ phase: 'queued', queues: ['1v1', '2v2'] });
    const found = mmFromServer(mmQueued(idle, ['1v1']), foundState((NOW + 12_000) * 1000, false), NOW);
    expect(found).toMatchObject({ phase: 'found', queues: ['1v1', '2v2'], found: { queueId: '1v1', timeoutMs: 12_000, deadline: NOW + 12_000 }, readyCount: 0 });
    expect(mmFromServer(idle, foundState((NOW + 12_000) * 1000, true), NOW)).toMatchObject({ phase: 'readied', readyCount: 1 });
  });

  it('clamps a hostile timeoutAt as a found\'s timeoutMs is clamped', () => {
    expect(mmFromServer(idle, foundState(1e18, false), NOW).found).toEqual({ queueId: '1v1', timeoutMs: 600_000, deadline: NOW + 600_000 });
    expect(mmFromServer(idle, foundState(-5, false), NOW).found).toEqual({ queueId: '1v1', timeoutMs: 0, deadline: NOW });
  });

  it('keeps the ready tally of the match it already showed', () => {
    const shown = mmReadyCount(mmReadied(mmFound(mmQueued(idle, ['1v1']), '1v1', 20_000, NOW)), 2);
    expect(mmFromServer(shown, foundState((NOW + 5_000) * 1000, true), NOW).readyCount).toBe(2);
  });

  it('goes idle on no_matchmaking only when we believed we were in a queue', () => {
    const lost = { ...mmQueued(idle, ['1v1']), phase: 'lost' as const };
    expect(mmFromServer(lost, { state: 'no_matchmaking' }, NOW)).toMatchObject({ phase: 'idle', queues: [] });
    const cancelled = mmCancelled(idle, 'ready_timeout');
    expect(mmFromServer(cancelled, { state: 'no_matchmaking' }, NOW)).toBe(cancelled);
    expect(mmFromServer(idle, { state: 'no_matchmaking' }, NOW)).toBe(idle);
  });

  it('publishes the server\'s state from a current user/self and tells the player a place the server no longer has', () => {
    const store = queuedStore();
    const outcome = reduceEvent(store, event('user/self', teiserverSelf('1', 'alice')), NOW, never);
    expect(outcome.requeue).toBeUndefined();
    expect(outcome.patches.filter((p) => p.slice === 'matchmaking' || p.slice === 'notice')).toEqual([
      { slice: 'matchmaking', value: expect.objectContaining({ phase: 'idle' }) },
      { slice: 'notice', value: { at: NOW, level: 'warning', text: 'The server no longer has you in the queue for Duel; queue again to play.' } },
    ]);
    const idleAgain = reduceEvent(new LobbyStore(''), event('user/self', teiserverSelf('1', 'alice')), NOW, never);
    expect(idleAgain.patches.map((p) => p.slice)).toEqual(['self', 'users', 'friends', 'party', 'protocol']);
  });

  it('leaves a 1.13.0 user/self\'s silence to the shell: queue again for what we were in', () => {
    const self = teiserverSelf('1', 'alice');
    delete self.user.matchmaking;
    delete self.user.currentLobby;
    delete self.user.clanInvites;
    const outcome = reduceEvent(queuedStore(), event('user/self', self), NOW, never);
    expect(outcome.requeue).toEqual(['1v1']);
    expect(outcome.patches.map((p) => p.slice)).toEqual(['self', 'users', 'friends', 'party', 'protocol']);
    expect(reduceEvent(new LobbyStore(''), event('user/self', self), NOW, never).requeue).toBeUndefined();
  });

  it('trusts no `matchmaking` in a user/self that only the 1.13.0 schema admits', () => {
    const self = teiserverSelf('1', 'alice', { matchmaking: { state: 'found' } });
    delete self.user.currentLobby;
    const outcome = reduceEvent(queuedStore(), event('user/self', self), NOW, never);
    expect(outcome.requeue).toEqual(['1v1']);
    expect(outcome.patches.some((p) => p.slice === 'matchmaking')).toBe(false);
  });
});

describe('words for a party\'s queue', () => {
  it('names the queues the party joined by playlist name, by id when unknown, and at most three', () => {
    expect(queueNames([duel], ['1v1'])).toBe('Duel');
    expect(queueNames([duel], ['1v1', 'ffa'])).toBe('Duel and ffa');
    expect(queueNames([duel], ['1v1', 'a', 'b'])).toBe('Duel, a and b');
    expect(queueNames([duel], ['1v1', 'a', 'b', 'c'])).toBe('Duel, a and 2 more');
    const store = new LobbyStore('');
    store.publish({ slice: 'matchmaking', value: { ...idle, playlists: [duel] } });
    const outcome = reduceEvent(store, event('matchmaking/queuesJoined', { queues: ['1v1'] }), NOW, never);
    expect(outcome.patches).toEqual([
      { slice: 'matchmaking', value: expect.objectContaining({ phase: 'queued', queues: ['1v1'] }) },
      { slice: 'notice', value: { at: NOW, level: 'info', text: 'Your party joined the queue for Duel.' } },
    ]);
  });
});
