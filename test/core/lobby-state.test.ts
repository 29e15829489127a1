// One lobby's rules, without sockets: the join queue and the swap, a shrinking ally team layout, votes that pass, fail and
// resolve when a voter leaves, kickban by vote, the caps on bans and vote history, and the merge patch between two views.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOBBY_LIMITS, LobbyRefusal, LobbyRoom, lobbyPatch, mergeDiff } from '../../src-main/core/server/lobby-state';

const box = { top: 0, bottom: 1, left: 0, right: 1 };
const layout = (...sizes: number[]) => sizes.map((maxTeams) => ({ maxTeams, startBox: box, teams: Array.from({ length: maxTeams }, () => ({ maxPlayers: 1 })) }));
const user = (id: string) => ({ userId: id, name: `name-${id}`, password: `pw-${id}` });

function room(options: { sizes?: number[]; bosses?: boolean; now?: () => number; limits?: Partial<typeof DEFAULT_LOBBY_LIMITS> } = {}): LobbyRoom {
  return new LobbyRoom({
    id: 'L', name: 'Lobby', mapName: 'Map', engineVersion: 'e', gameVersion: 'g', allyTeamConfig: layout(...(options.sizes ?? [1, 1])),
    areBossesEnabled: options.bosses ?? false, gameOptions: {}, tags: {}, creator: user('1'),
  }, { ...DEFAULT_LOBBY_LIMITS, ...options.limits }, options.now);
}

function refusal(run: () => void): { reason: string; details?: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof LobbyRefusal) return { reason: error.reason, ...(error.details !== undefined ? { details: error.details } : {}) };
    throw error;
  }
  throw new Error('not refused');
}

describe('LobbyRoom', () => {
  it('queues spectators in order, seats them as seats free, and swaps a player with the first in the queue', () => {
    const lobby = room();
    for (const id of ['2', '3', '4']) lobby.join(user(id));
    lobby.joinAllyTeam('2', '1');
    lobby.joinQueue('3');
    lobby.joinQueue('4');
    expect(lobby.view().spectators).toEqual({ 3: { id: '3', joinQueuePosition: 1 }, 4: { id: '4', joinQueuePosition: 2 } });
    // Player 2 takes a place in the queue; 3, first in it, sits in 2's seat.
    const before = lobby.view();
    lobby.joinQueue('2');
    expect(lobbyPatch(before, lobby.view())).toEqual({
      id: 'L',
      players: { 2: null, 3: { id: '3', allyTeam: '1', team: '0', player: '0', isReady: false, assetStatus: 'complete' } },
      spectators: { 2: { id: '2', joinQueuePosition: 3 }, 3: null },
    });
    // Player 1 leaves: 4 is next.
    lobby.remove('1');
    expect(Object.keys(lobby.view().players).sort()).toEqual(['3', '4']);
    expect(lobby.view().spectators).toEqual({ 2: { id: '2', joinQueuePosition: 3 } });
  });

  it('a smaller layout sends the displaced player to the front of the queue and drops displaced bots', () => {
    const lobby = room({ sizes: [2, 2] });
    lobby.join(user('2'));
    lobby.joinAllyTeam('2', '0');
    const bot = lobby.addBot('1', { allyTeam: '1', shortName: 'NullAI' });
    lobby.join(user('3'));
    lobby.joinQueue('3');
    expect(lobby.view().players['3']).toBeDefined(); // there was room
    lobby.spectate('3');
    lobby.joinQueue('3');
    lobby.update('1', { allyTeamConfig: layout(1) });
    const view = lobby.view();
    expect(Object.keys(view.players)).toEqual(['1']);
    expect(view.bots[bot]).toBeUndefined();
    expect(view.spectators['2']?.joinQueuePosition).toBeLessThan(view.spectators['3']?.joinQueuePosition ?? 0);
  });

  it('a kick vote passes with a majority, bans, and the banned cannot join until it expires', () => {
    let now = 1_000_000_000;
    const lobby = room({ now: () => now });
    lobby.join(user('2'));
    lobby.joinAllyTeam('2', '1');
    lobby.join(user('3'));
    lobby.kickban('1', '3', now + 5_000_000);
    const effects = lobby.takeEffects();
    expect(effects).toEqual([{ type: 'voteStarted', voteId: 'vote-1', durationMs: 60_000 }]);
    expect(lobby.view().currentVote).toMatchObject({ action: { type: 'kickban', userId: '3', banUntil: now + 5_000_000 }, quorum: 2, majority: 2 });
    // A spectator has no vote.
    expect(refusal(() => lobby.voteSubmit('3', 'vote-1', 'no'))).toEqual({ reason: 'invalid_request', details: 'invalid_vote' });
    lobby.voteSubmit('2', 'vote-1', 'yes');
    expect(lobby.takeEffects()).toEqual([
      { type: 'voteEnded', voteId: 'vote-1', outcome: 'passed' },
      { type: 'removed', userId: '3', reason: 'banned', bannedUntil: now + 5_000_000 },
    ]);
    expect(lobby.has('3')).toBe(false);
    expect(refusal(() => lobby.join(user('3')))).toEqual({ reason: 'banned', details: `Banned until ${new Date((now + 5_000_000) / 1000).toISOString()}` });
    now += 5_000_001;
    lobby.join(user('3'));
    expect(lobby.has('3')).toBe(true);
  });

  it('a voter who leaves abstains, which can decide the vote; appointing a boss by vote', () => {
    const lobby = room({ sizes: [2, 1], bosses: true });
    lobby.unboss('1', '1');
    for (const id of ['2', '3']) {
      lobby.join(user(id));
      lobby.joinQueue(id);
    }
    expect(Object.keys(lobby.view().players).sort()).toEqual(['1', '2', '3']);
    lobby.appointBoss('1', '2');
    expect(lobby.view().currentVote).toMatchObject({ quorum: 2, voters: { 1: { vote: 'yes' }, 2: { vote: 'pending' }, 3: { vote: 'pending' } } });
    lobby.takeEffects();
    // 3 leaves: abstain makes the quorum, and one yes of two is short of the majority.
    lobby.remove('3');
    expect(lobby.takeEffects()).toEqual([{ type: 'voteEnded', voteId: 'vote-1', outcome: 'failed' }]);
    lobby.appointBoss('2', '1');
    lobby.voteSubmit('1', 'vote-2', 'yes');
    expect(lobby.view().bosses).toEqual({ 1: {} });
    expect(lobby.view().voteHistory).toMatchObject({ 'vote-1': { outcome: 'failed' }, 'vote-2': { outcome: 'passed', vote: { type: 'appointBoss', bossId: '1' } } });
  });

  it('keeps ten finished votes and a bounded number of bans', () => {
    let now = 1_000_000_000;
    const lobby = room({ now: () => now, limits: { bans: 3 } });
    lobby.join(user('2'));
    lobby.joinAllyTeam('2', '1');
    for (let i = 0; i < 15; i++) {
      lobby.update('1', { mapName: `Map ${i}` });
      lobby.voteTimedOut(lobby.voteId ?? '');
      now += 1;
    }
    expect(Object.keys(lobby.view().voteHistory ?? {})).toHaveLength(10);
    lobby.spectate('2');
    for (let i = 0; i < 10; i++) {
      lobby.join(user(`x${i}`));
      lobby.kickban('1', `x${i}`, now + 1_000_000 + i);
    }
    expect(lobby.banCount).toBe(3);
    // The soonest to expire went first: the latest three are kept.
    expect(refusal(() => lobby.join(user('x9'))).reason).toBe('banned');
    lobby.join(user('x0'));
  });

  it('refuses what breaks the caps, and changes nothing when one part of an update is bad', () => {
    const lobby = room({ limits: { gameOptions: 2 } });
    expect(refusal(() => lobby.update('1', { name: 'New', gameOptions: { a: { value: '1' }, b: { value: '2' }, c: { value: '3' } } })))
      .toEqual({ reason: 'invalid_request', details: 'Cannot update lobby: at most 2 game options' });
    expect(lobby.name).toBe('Lobby');
    expect(refusal(() => lobby.addBot('1', { allyTeam: '0', shortName: 'NullAI' }))).toEqual({ reason: 'ally_team_full' });
    expect(refusal(() => lobby.addBot('9', { allyTeam: '1', shortName: 'NullAI' }))).toEqual({ reason: 'not_in_lobby' });
    lobby.join(user('2'));
    expect(refusal(() => lobby.update('2', { mapName: 'Mine' })).details).toBe('Cannot update lobby: Only players can change the map');
    expect(refusal(() => lobby.updateClientStatus('2', { isReady: true })).details).toBe('not_a_player');
    // Every seat is a team: no layout has more seats than the engine has places.
    expect(refusal(() => lobby.update('1', { allyTeamConfig: layout(32, 32, 32, 32, 32, 32, 32, 32) })).details).toBe('Cannot update lobby: at most 251 seats');
  });
});

describe('mergeDiff', () => {
  it('names changed values, removes with null, and returns nothing for no change', () => {
    expect(mergeDiff({ a: 1, b: { c: 2, d: 3 }, e: 'x' }, { a: 1, b: { c: 2, d: 4 }, f: true })).toEqual({ e: null, b: { d: 4 }, f: true });
    expect(mergeDiff({ a: { b: 1 } }, { a: { b: 1 } })).toBeUndefined();
  });
});
