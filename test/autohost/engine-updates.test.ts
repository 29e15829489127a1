// Decoded engine packets → autohost/update, without UDP or an engine.
import { describe, expect, it } from 'vitest';
import { toUpdate, type EngineUpdateContext } from '../../src-main/core/autohost/engine-updates';
import { compileLuamsgFilter } from '../../src-main/core/autohost/luamsg-filter';

function battle(overrides: Partial<EngineUpdateContext> = {}): EngineUpdateContext {
  return {
    userByNumber: new Map([[0, 'u-alice'], [1, 'u-bob']]),
    gameOverReporters: new Set(),
    passwords: new Set(['hunter2-secret']),
    luamsg: null,
    ...overrides,
  };
}

describe('toUpdate', () => {
  it('maps players by number, redacts passwords and drops what Tachyon has no update for', () => {
    const b = battle();
    expect(toUpdate(b, { type: 'player_joined', player: 1, name: 'bob' })).toEqual({ type: 'player_joined', userId: 'u-bob', playerNumber: 1 });
    expect(toUpdate(b, { type: 'message', text: 'Password=hunter2-secret said hunter2-secret' })).toEqual({ type: 'engine_message', message: expect.not.stringContaining('hunter2-secret') });
    expect(toUpdate(b, { type: 'player_chat', player: 0, destination: { kind: 'player', player: 1 }, text: 'hi', secret: false }))
      .toEqual({ type: 'player_chat', userId: 'u-alice', message: 'hi', destination: 'player', toUserId: 'u-bob' });
    expect(toUpdate(b, { type: 'player_chat', player: 0, destination: { kind: 'server' }, text: 'hi', secret: false })).toBeNull();
    expect(toUpdate(b, { type: 'player_ready', player: 0, state: 'ready' })).toBeNull();
    const unknown: number[] = [];
    expect(toUpdate(b, { type: 'player_defeated', player: 7 }, (n) => unknown.push(n))).toBeNull();
    expect(unknown).toEqual([7]);
  });

  it('counts each game_over reporter once', () => {
    const b = battle();
    const over = { type: 'game_over', player: 0, winningAllyTeams: [1] } as const;
    expect(toUpdate(b, { ...over, winningAllyTeams: [1] })).toEqual({ type: 'finished', userId: 'u-alice', winningAllyTeams: [1] });
    expect(toUpdate(b, { ...over, winningAllyTeams: [1] })).toBeNull();
    expect(toUpdate(b, { type: 'game_over', player: 1, winningAllyTeams: [] })).toBeNull();
  });

  it('passes a luamsg only when the battle asked for it and it matches', () => {
    const data = Buffer.from('score:12');
    const event = { type: 'luamsg', player: 1, script: 'gaia', data } as const;
    expect(toUpdate(battle(), event)).toBeNull();
    expect(toUpdate(battle({ luamsg: compileLuamsgFilter('^other') }), event)).toBeNull();
    expect(toUpdate(battle({ luamsg: compileLuamsgFilter('^score:') }), event)).toEqual({ type: 'luamsg', userId: 'u-bob', script: 'game', data: data.toString('base64') });
  });
});
