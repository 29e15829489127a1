// The update buffer's clock and `since` rules, and the hosted battle state built from updates, with an injected clock.
import type { AutohostUpdateEventData } from 'tachyon-protocol/types';
import { describe, expect, it } from 'vitest';
import { applyBattleUpdate, CHAT_LINES_KEPT, initialBattleState, SinceTooOldError, UpdateBuffer, type HostedBattleState } from '../../src-main/core/autohost';

describe('UpdateBuffer', () => {
  it('stamps microsecond times from Date.now()*1000, bumping collisions by 1 µs so they stay unique and increasing', () => {
    let now = 1_700_000_000_000;
    const buffer = new UpdateBuffer({ now: () => now });
    const a = buffer.push('b1', { type: 'start' });
    const b = buffer.push('b1', { type: 'engine_message', message: 'x' });
    now += 1;
    const c = buffer.push('b1', { type: 'engine_quit' });
    now -= 5; // a clock stepping back never reorders
    const d = buffer.push('b2', { type: 'start' });
    expect([a.time, b.time, c.time, d.time]).toEqual([1_700_000_000_000_000, 1_700_000_000_000_001, 1_700_000_000_001_000, 1_700_000_000_001_001]);
    expect(Number.isSafeInteger(d.time)).toBe(true);
  });

  it('replays strictly after since; a since older than the kept window is refused; old updates are dropped', () => {
    let now = 1_000_000;
    const buffer = new UpdateBuffer({ now: () => now, maxAgeMs: 60_000 });
    const first = buffer.push('b', { type: 'start' });
    now += 10_000;
    const second = buffer.push('b', { type: 'engine_quit' });
    expect(buffer.after(first.time).map((u) => u.time)).toEqual([second.time]);
    expect(buffer.after(first.time - 1).map((u) => u.time)).toEqual([first.time, second.time]);
    expect(buffer.after(second.time)).toEqual([]);
    now += 55_000; // first is 65 s old, second 55 s
    expect(() => buffer.after(first.time)).toThrow(SinceTooOldError);
    expect(buffer.after(second.time - 1)).toEqual([second]);
    expect(buffer.all()).toEqual([second]);
  });
});

describe('hosted battle state', () => {
  const base = (): HostedBattleState =>
    initialBattleState({
      battleId: 'b',
      engineVersion: '106.0',
      gameName: 'G',
      mapName: 'M',
      requestedAt: 0,
      players: [
        { userId: 'a', name: 'A', spectator: false },
        { userId: 'b', name: 'B', spectator: false },
        { userId: 'c', name: 'C', spectator: true },
      ],
    });
  let time = 0;
  const apply = (state: HostedBattleState, update: AutohostUpdateEventData['update']) => applyBattleUpdate(state, { battleId: 'b', time: ++time, update });

  it('starting → running → finished → ended, with connections, defeats, chat and disagreeing winners tallied', () => {
    let state = base();
    expect(state.phase).toBe('starting');
    state = apply(state, { type: 'player_joined', userId: 'a', playerNumber: 0 });
    state = apply(state, { type: 'player_joined', userId: 'b', playerNumber: 1 });
    state = apply(state, { type: 'start' });
    expect(state.phase).toBe('running');
    state = apply(state, { type: 'player_chat', userId: 'a', message: 'gl', destination: 'all' });
    state = apply(state, { type: 'player_chat', userId: 'b', message: 'psst', destination: 'player', toUserId: 'a' });
    state = apply(state, { type: 'player_defeated', userId: 'b' });
    state = apply(state, { type: 'finished', userId: 'a', winningAllyTeams: [0] });
    state = apply(state, { type: 'player_left', userId: 'a', reason: 'left' });
    state = apply(state, { type: 'finished', userId: 'b', winningAllyTeams: [1] });
    state = apply(state, { type: 'finished', userId: 'c', winningAllyTeams: [0] });
    expect(state.phase).toBe('finished');
    expect(state.winners).toEqual([{ winningAllyTeams: [0], reports: 2 }, { winningAllyTeams: [1], reports: 1 }]);
    state = apply(state, { type: 'engine_quit' });
    expect(state).toMatchObject({ phase: 'ended', end: { kind: 'quit' } });
    expect(state.players.map((p) => [p.userId, p.connected, p.leftReason ?? null, p.defeated])).toEqual([
      ['a', false, 'left', false],
      ['b', false, null, true],
      ['c', false, null, false],
    ]);
    expect(state.chat.map((l) => [l.destination, l.toUserId ?? null])).toEqual([['all', null], ['player', 'a']]);
    // Nothing changes after the end.
    expect(apply(state, { type: 'start' })).toBe(state);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('a crash ends the battle with its details; chat is bounded', () => {
    let state = base();
    for (let i = 0; i < CHAT_LINES_KEPT + 20; i++) state = apply(state, { type: 'player_chat', userId: 'a', message: String(i), destination: 'allies' });
    expect(state.chat).toHaveLength(CHAT_LINES_KEPT);
    expect(state.chat[0]!.message).toBe('20');
    state = apply(state, { type: 'engine_crash', details: 'spring-dedicated was killed by SIGKILL' });
    expect(state).toMatchObject({ phase: 'ended', end: { kind: 'crash', details: 'spring-dedicated was killed by SIGKILL' } });
  });
});
