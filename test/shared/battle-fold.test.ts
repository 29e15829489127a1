// The shared fold of a hosted battle's updates, which both the local autohost's battle state and the page's report use.
import { describe, expect, it } from 'vitest';
import {
  firstWinners, foldBattleUpdate, foldLastBattle, startBattleProgress, tallyWinners, type BattleProgress, type BattleUpdateView,
} from '../../src-main/shared/battle-fold';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
let clock = 1_700_000_000_000;
const up = (type: BattleUpdateView['type'], extra: Partial<BattleUpdateView> = {}, battleId = A): BattleUpdateView => ({ battleId, at: (clock += 1000), type, ...extra });
const fold = (updates: readonly BattleUpdateView[], start: BattleProgress = startBattleProgress()) => updates.reduce(foldBattleUpdate, start);

describe('battle fold: phase and end', () => {
  it('starting → running → finished → ended by quit, and nothing changes after the end', () => {
    let state = startBattleProgress();
    expect(state).toEqual({ phase: 'starting', end: null, results: [], players: [], joins: 0 });
    state = foldBattleUpdate(state, up('start'));
    expect(state.phase).toBe('running');
    expect(foldBattleUpdate(state, up('start'))).toBe(state);
    state = foldBattleUpdate(state, up('finished', { userId: 'u1', winningAllyTeams: [1] }));
    expect(state.phase).toBe('finished');
    state = foldBattleUpdate(state, up('engine_quit'));
    expect(state).toMatchObject({ phase: 'ended', end: { kind: 'quit' } });
    for (const late of [up('start'), up('player_joined', { userId: 'u9' }), up('finished', { userId: 'u2', winningAllyTeams: [0] }), up('engine_crash')]) {
      expect(foldBattleUpdate(state, late)).toBe(state);
    }
  });

  it('a crash ends the battle with its details, even after a result', () => {
    const state = fold([up('start'), up('finished', { userId: 'u1', winningAllyTeams: [0] }), up('engine_crash', { message: 'killed by SIGKILL' })]);
    expect(state).toMatchObject({ phase: 'ended', end: { kind: 'crash', details: 'killed by SIGKILL' } });
    expect(fold([up('engine_crash')]).end).toEqual({ kind: 'crash' });
  });

  it('chat, engine messages, warnings and luamsg change nothing', () => {
    const state = fold([up('start')]);
    for (const u of [up('player_chat', { userId: 'u1', message: 'gl', destination: 'all' }), up('engine_message', { message: 'x' }), up('engine_warning', { message: 'w' }), up('luamsg', { userId: 'u1' })]) {
      expect(foldBattleUpdate(state, u)).toBe(state);
    }
  });
});

describe('battle fold: players', () => {
  it('starts from the roster given, and adds players as updates first name them, in that order', () => {
    const state = fold([up('player_defeated', { userId: 'late' }), up('player_joined', { userId: 'b' }), up('player_left', { userId: 'new', reason: 'kicked' })], startBattleProgress(['a', 'b']));
    expect(state.players.map((p) => p.userId)).toEqual(['a', 'b', 'late', 'new']);
    expect(state.joins).toBe(1);
  });

  it('a leave keeps its reason until the player joins again; a defeat stays', () => {
    let state = fold([up('player_joined', { userId: 'u1' }), up('player_left', { userId: 'u1', reason: 'lost_connection' })]);
    expect(state.players).toEqual([{ userId: 'u1', connected: false, leftReason: 'lost_connection', defeated: false }]);
    state = fold([up('player_joined', { userId: 'u1' })], state);
    expect(state.players).toEqual([{ userId: 'u1', connected: true, defeated: false }]);
    state = fold([up('player_defeated', { userId: 'u1' }), up('player_left', { userId: 'u1', reason: 'left' }), up('player_joined', { userId: 'u1' })], state);
    expect(state.players).toEqual([{ userId: 'u1', connected: true, defeated: true }]);
  });

  it('the end disconnects everyone still in, without a leave reason', () => {
    const state = fold([up('player_joined', { userId: 'u1' }), up('player_joined', { userId: 'u2' }), up('player_left', { userId: 'u2', reason: 'left' }), up('engine_quit')]);
    expect(state.players).toEqual([
      { userId: 'u1', connected: false, defeated: false },
      { userId: 'u2', connected: false, leftReason: 'left', defeated: false },
    ]);
  });

  it('an update that names no user changes no player', () => {
    const state = startBattleProgress(['a']);
    expect(foldBattleUpdate(state, up('player_defeated')).players).toBe(state.players);
  });

  it('leaves its input alone and stays plain JSON', () => {
    const start = startBattleProgress(['a']);
    const copy = JSON.parse(JSON.stringify(start));
    const state = fold([up('player_joined', { userId: 'a' }), up('finished', { userId: 'a', winningAllyTeams: [0] })], start);
    expect(start).toEqual(copy);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});

describe('battle fold: results', () => {
  it('keeps every report; the first with winners is shown; the tally groups them, most reported first', () => {
    const state = fold([
      up('finished', { userId: 'u1', winningAllyTeams: [] }),
      up('finished', { userId: 'u2', winningAllyTeams: [1, 0] }),
      up('finished', { userId: 'u3', winningAllyTeams: [2] }),
      up('finished', { userId: 'u4', winningAllyTeams: [0, 1, 1] }),
    ]);
    expect(state.results).toHaveLength(4);
    expect(firstWinners(state.results)).toEqual([1, 0]);
    expect(tallyWinners(state.results)).toEqual([
      { winningAllyTeams: [0, 1], reports: 2 },
      { winningAllyTeams: [], reports: 1 },
      { winningAllyTeams: [2], reports: 1 },
    ]);
    expect(firstWinners([])).toBeNull();
  });
});

describe('battle fold: the last battle of a list', () => {
  it('folds only the updates of the last battle id, and is null without updates', () => {
    expect(foldLastBattle([])).toBeNull();
    const folded = foldLastBattle([up('player_joined', { userId: 'old' }, B), up('start'), up('player_joined', { userId: 'u1' }), up('engine_quit', {}, B)]);
    expect(folded?.battleId).toBe(B);
    expect(folded?.progress).toMatchObject({ phase: 'ended', end: { kind: 'quit' }, players: [{ userId: 'old', connected: false }] });
  });
});
