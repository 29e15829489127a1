// The hosted battle's presenter (Tachyon's `autohost/update`) and its patch function, without Vue: grouping, roster, outcome and timeline in words.
import { describe, expect, it } from 'vitest';
import type { BattleUpdateView } from '../../src-main/contract';
import { BATTLE_EVENTS_SHOWN, presentBattleUpdates, teamWords } from '../../src-renderer/battle-updates';
import { LOBBY_LIMITS, reduceBattleUpdates } from '../../src-main/shared/lobby-reducers';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const names: Record<string, string> = { u1: 'Alice', u2: 'Bob', u3: 'Carol' };
const nameOf = (id: string) => names[id] ?? id;
let clock = 1_700_000_000_000;
const up = (battleId: string, type: BattleUpdateView['type'], extra: Partial<BattleUpdateView> = {}): BattleUpdateView => ({ battleId, at: (clock += 1000), type, ...extra });

describe('battle updates slice', () => {
  it('appends in order, bounded, and leaves the input alone', () => {
    const first = reduceBattleUpdates([], { slice: 'battleUpdates', append: [up(A, 'start')] });
    const second = reduceBattleUpdates(first, { slice: 'battleUpdates', append: [up(A, 'player_joined', { userId: 'u1' })] });
    expect(first).toHaveLength(1);
    expect(second.map((u) => u.type)).toEqual(['start', 'player_joined']);
    expect(reduceBattleUpdates(second, { slice: 'battleUpdates', append: [] })).toBe(second);
    const many = reduceBattleUpdates([], { slice: 'battleUpdates', append: Array.from({ length: LOBBY_LIMITS.battleUpdates + 3 }, () => up(A, 'engine_message', { message: 'x' })) });
    expect(many).toHaveLength(LOBBY_LIMITS.battleUpdates);
  });
});

describe('battle updates presenter', () => {
  it('is empty without updates', () => {
    expect(presentBattleUpdates([], nameOf)).toBeNull();
  });

  it('groups the last battle: roster, chat with destination, defeat, one result however many report it, then quit', () => {
    const updates = [
      up(B, 'player_joined', { userId: 'u3' }), // an earlier battle: not shown
      up(A, 'player_joined', { userId: 'u1', playerNumber: 0 } as Partial<BattleUpdateView>),
      up(A, 'player_joined', { userId: 'u2' }),
      up(A, 'start'),
      up(A, 'player_chat', { userId: 'u1', message: 'glhf', destination: 'all' }),
      up(A, 'player_chat', { userId: 'u2', message: 'rush mid', destination: 'allies' }),
      up(A, 'player_chat', { userId: 'u2', message: 'psst', destination: 'player', toUserId: 'u1' }),
      up(A, 'engine_message', { message: 'Connection attempt from 127.0.0.1' }),
      up(A, 'player_defeated', { userId: 'u2' }),
      up(A, 'player_left', { userId: 'u2', reason: 'left' }),
      up(A, 'finished', { userId: 'u1', winningAllyTeams: [0] }),
      up(A, 'finished', { userId: 'u2', winningAllyTeams: [0] }),
      up(A, 'engine_quit'),
    ];
    const report = presentBattleUpdates(updates, nameOf)!;
    expect(report.battleId).toBe(A);
    expect(report.outcome).toBe('finished');
    expect(report.headline).toBe('Finished — Team 1 won (reported by 2 players)');
    expect(report.winners).toEqual([0]);
    expect(report.players).toEqual([
      { userId: 'u1', name: 'Alice', state: 'in' },
      { userId: 'u2', name: 'Bob', state: 'defeated' },
    ]);
    expect(report.events.map((e) => [e.kind, e.text, e.message])).toEqual([
      ['joined', 'Alice joined', undefined],
      ['joined', 'Bob joined', undefined],
      ['start', 'The battle started', undefined],
      ['chat', 'Alice to all', 'glhf'],
      ['chat', 'Bob to allies', 'rush mid'],
      ['chat', 'Bob to Alice', 'psst'],
      ['defeated', 'Bob was defeated', undefined],
      ['left', 'Bob left the game', undefined],
      ['finished', 'Game over: Team 1 won', undefined],
      ['quit', 'The battle closed', undefined],
    ]);
    // Keys are unique within the report (Vue's v-for keys).
    expect(new Set(report.events.map((e) => e.key)).size).toBe(report.events.length);
  });

  it('tells a dropped or kicked player and a crash in words', () => {
    const report = presentBattleUpdates(
      [
        up(A, 'player_joined', { userId: 'u1' }),
        up(A, 'player_joined', { userId: 'u2', name: 'Bobby' }),
        up(A, 'player_left', { userId: 'u1', reason: 'lost_connection' }),
        up(A, 'player_left', { userId: 'u2', reason: 'kicked' }),
        up(A, 'engine_crash', { message: 'segfault in Lua' }),
      ],
      nameOf,
    )!;
    expect(report.players.map((p) => [p.name, p.state, p.detail])).toEqual([
      ['Alice', 'left', 'lost connection'],
      ['Bobby', 'left', 'was kicked'],
    ]);
    expect(report.outcome).toBe('crashed');
    expect(report.tone).toBe('bad');
    expect(report.headline).toBe('The engine crashed: segfault in Lua');
    expect(report.events.at(-1)).toMatchObject({ kind: 'crash', tone: 'bad' });
  });

  it('says a battle that quit without a result closed, and one that has not started waits', () => {
    expect(presentBattleUpdates([up(A, 'player_joined', { userId: 'u1' }), up(A, 'engine_quit')], nameOf)!.headline).toBe('Closed before a result');
    expect(presentBattleUpdates([up(A, 'engine_message', { message: 'hi' })], nameOf)).toMatchObject({ outcome: 'waiting', events: [] });
  });

  it('keeps hostile chat as the plain string it was', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const report = presentBattleUpdates([up(A, 'player_chat', { userId: 'u1', message: hostile, destination: 'all' })], nameOf)!;
    expect(report.events[0]!.message).toBe(hostile);
  });

  it('shows the newest rows of a long battle and counts the rest', () => {
    const updates = Array.from({ length: BATTLE_EVENTS_SHOWN + 25 }, (_, i) => up(A, 'player_chat', { userId: 'u1', message: `m${i}`, destination: 'all' }));
    const report = presentBattleUpdates(updates, nameOf)!;
    expect(report.events).toHaveLength(BATTLE_EVENTS_SHOWN);
    expect(report.hiddenEvents).toBe(25);
    expect(report.events.at(-1)!.message).toBe(`m${BATTLE_EVENTS_SHOWN + 24}`);
  });

  it('names several winning teams', () => {
    expect(teamWords([0])).toBe('Team 1 won');
    expect(teamWords([0, 2])).toBe('Team 1 and Team 3 won');
    expect(teamWords([0, 1, 3])).toBe('Team 1, Team 2 and Team 4 won');
  });
});

describe('battle updates presenter names', () => {
  it('remembers a name an update carried for later updates of that id', () => {
    const report = presentBattleUpdates([up(A, 'player_joined', { userId: 'b1', name: 'Bot (NullAI)' }), up(A, 'player_defeated', { userId: 'b1' })], nameOf)!;
    expect(report.events.map((e) => e.text)).toEqual(['Bot (NullAI) joined', 'Bot (NullAI) was defeated']);
  });
});
