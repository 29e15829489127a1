// The renderer's pure patch functions, without Vue: bounds, merges, no doubled chat lines, engine console kept across status.
import { describe, expect, it } from 'vitest';
import type { ChatLine, EngineView, UserView } from '../../src-main/contract';
import { CHAT_LIMIT, ENGINE_CONSOLE_LIMIT, STATS_HISTORY_LIMIT, reduceChat, reduceEngine, reduceNotices, reduceStats, reduceUsers } from '../../src-renderer/stores/slices';
import * as core from '../../src-main/core/lobby/state';

const user = (userId: string, status: UserView['status'] = 'menu'): UserView => ({ userId, username: userId, displayName: userId.toUpperCase(), clanId: null, status });
const line = (marker: string, text = marker): ChatLine => ({ marker, at: 1, fromUserId: 'u1', channel: { type: 'party', partyId: 'p' }, text });

describe('renderer slices', () => {
  it('keep the same bounds as the core', () => {
    expect([STATS_HISTORY_LIMIT, CHAT_LIMIT, ENGINE_CONSOLE_LIMIT]).toEqual([core.STATS_HISTORY_LIMIT, core.CHAT_LIMIT, core.ENGINE_CONSOLE_LIMIT]);
  });

  it('stats: sets the count and bounds the history', () => {
    let stats = { userCount: null as number | null, history: [] as readonly { at: number; userCount: number }[] };
    for (let i = 0; i < STATS_HISTORY_LIMIT + 5; i++) stats = reduceStats(stats, { slice: 'stats', userCount: i, sample: { at: i, userCount: i } });
    expect(stats.userCount).toBe(STATS_HISTORY_LIMIT + 4);
    expect(stats.history).toHaveLength(STATS_HISTORY_LIMIT);
    expect(stats.history[0]!.at).toBe(5);
  });

  it('users: upserts by id and removes, without touching the input', () => {
    const before = { a: user('a'), b: user('b') };
    const after = reduceUsers(before, { slice: 'users', upsert: [user('a', 'playing'), user('c')], remove: ['b'] });
    expect(Object.keys(after).sort()).toEqual(['a', 'c']);
    expect(after.a!.status).toBe('playing');
    expect(before.a.status).toBe('menu');
    expect(reduceUsers(after, { slice: 'users', upsert: [], remove: [] })).toBe(after);
  });

  it('chat: appends, never shows a marker twice, bounds the list', () => {
    const one = reduceChat([], { slice: 'chat', append: [line('m1'), line('m2')] });
    const two = reduceChat(one, { slice: 'chat', append: [line('m2'), line('m3'), line('m3')] });
    expect(two.map((l) => l.marker)).toEqual(['m1', 'm2', 'm3']);
    const many = reduceChat([], { slice: 'chat', append: Array.from({ length: CHAT_LIMIT + 10 }, (_, i) => line(`x${i}`)) });
    expect(many).toHaveLength(CHAT_LIMIT);
  });

  it('engine: status patches keep the console, console patches append bounded', () => {
    const start: EngineView = { status: 'offline', pid: null, startedAt: null, cpuPercent: null, rssMb: null, exitCode: null, console: ['old'] };
    const running = reduceEngine(start, { slice: 'engine', value: { status: 'running', pid: 42, startedAt: 5, cpuPercent: 3, rssMb: 100, exitCode: null } });
    expect(running).toMatchObject({ status: 'running', pid: 42, console: ['old'] });
    const out = reduceEngine(running, { slice: 'engineConsole', append: Array.from({ length: ENGINE_CONSOLE_LIMIT }, (_, i) => `l${i}`) });
    expect(out.console).toHaveLength(ENGINE_CONSOLE_LIMIT);
    expect(out.console.at(-1)).toBe(`l${ENGINE_CONSOLE_LIMIT - 1}`);
  });

  it('notices: append', () => {
    expect(reduceNotices([], { slice: 'notice', value: { at: 1, level: 'info', text: 'hi' } })).toHaveLength(1);
  });
});
