// The one set of reducers every copy of the lobby state uses: bounds, merges, no doubled chat lines, users by id in a Map.
import { describe, expect, it } from 'vitest';
import type { ChatLine, EngineView, UserView } from '../../src-main/contract';
import {
  applyLobbyPatch, applyUsersPatch, LOBBY_LIMITS, lobbySnapshotOf, lobbyStateFrom, reduceChat, reduceEngine, reduceNotices, reduceReplays, reduceStats,
} from '../../src-main/shared/lobby-reducers';
import { initialSnapshot } from '../../src-main/core/lobby/state';

const user = (userId: string, status: UserView['status'] = 'menu'): UserView => ({ userId, username: userId, displayName: userId.toUpperCase(), clanId: null, status });
const line = (marker: string, text = marker): ChatLine => ({ marker, at: 1, fromUserId: 'u1', channel: { type: 'party', partyId: 'p' }, text });

describe('lobby reducers', () => {
  it('stats: sets the count and bounds the history', () => {
    let stats = { userCount: null as number | null, history: [] as readonly { at: number; userCount: number }[] };
    for (let i = 0; i < LOBBY_LIMITS.statsHistory + 5; i++) stats = reduceStats(stats, { slice: 'stats', userCount: i, sample: { at: i, userCount: i } });
    expect(stats.userCount).toBe(LOBBY_LIMITS.statsHistory + 4);
    expect(stats.history).toHaveLength(LOBBY_LIMITS.statsHistory);
    expect(stats.history[0]!.at).toBe(5);
  });

  it('users: upserts by id and removes in place; an upserted user moves to the newest end', () => {
    const users = new Map([['a', user('a')], ['b', user('b')], ['c', user('c')]]);
    applyUsersPatch(users, { slice: 'users', upsert: [user('a', 'playing'), user('d')], remove: ['b'] });
    expect([...users.keys()]).toEqual(['c', 'a', 'd']);
    expect(users.get('a')!.status).toBe('playing');
  });

  it('users: ids like __proto__ and constructor are just ids', () => {
    const state = lobbyStateFrom(initialSnapshot());
    applyLobbyPatch(state, { slice: 'users', upsert: [user('__proto__'), user('constructor'), user('hasOwnProperty')], remove: [] });
    expect(state.users.size).toBe(3);
    expect(lobbySnapshotOf(state).users['toString']).toBeUndefined();
    const snapshot = JSON.parse(JSON.stringify(lobbySnapshotOf(state))) as ReturnType<typeof lobbySnapshotOf>;
    expect(Object.keys(snapshot.users).sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty']);
    expect(Object.getPrototypeOf(snapshot.users)).toBe(Object.prototype);
    const back = lobbyStateFrom(snapshot);
    expect(back.users.get('__proto__')!.username).toBe('__proto__');
    applyLobbyPatch(back, { slice: 'users', upsert: [], remove: ['__proto__'] });
    expect([...back.users.keys()].sort()).toEqual(['constructor', 'hasOwnProperty']);
  });

  it('chat: appends, never shows a marker twice, bounds the list', () => {
    const one = reduceChat([], { slice: 'chat', append: [line('m1'), line('m2')] });
    const two = reduceChat(one, { slice: 'chat', append: [line('m2'), line('m3'), line('m3')] });
    expect(two.map((l) => l.marker)).toEqual(['m1', 'm2', 'm3']);
    expect(reduceChat(two, { slice: 'chat', append: [line('m1')] })).toBe(two);
    const many = reduceChat([], { slice: 'chat', append: Array.from({ length: LOBBY_LIMITS.chat + 10 }, (_, i) => line(`x${i}`)) });
    expect(many).toHaveLength(LOBBY_LIMITS.chat);
  });

  it('engine: status patches keep the console, console patches append bounded', () => {
    const start: EngineView = { status: 'offline', pid: null, startedAt: null, cpuPercent: null, rssMb: null, exitCode: null, console: ['old'] };
    const running = reduceEngine(start, { slice: 'engine', value: { status: 'running', pid: 42, startedAt: 5, cpuPercent: 3, rssMb: 100, exitCode: null } });
    expect(running).toMatchObject({ status: 'running', pid: 42, console: ['old'] });
    const out = reduceEngine(running, { slice: 'engineConsole', append: Array.from({ length: LOBBY_LIMITS.engineConsole }, (_, i) => `l${i}`) });
    expect(out.console).toHaveLength(LOBBY_LIMITS.engineConsole);
    expect(out.console.at(-1)).toBe(`l${LOBBY_LIMITS.engineConsole - 1}`);
  });

  it('notices: append, bounded', () => {
    let notices = reduceNotices([], { slice: 'notice', value: { at: 1, level: 'info', text: 'hi' } });
    expect(notices).toHaveLength(1);
    for (let i = 0; i < LOBBY_LIMITS.notices + 3; i++) notices = reduceNotices(notices, { slice: 'notice', value: { at: i, level: 'info', text: `n${i}` } });
    expect(notices).toHaveLength(LOBBY_LIMITS.notices);
  });

  it('replays: the core\'s list, held to the bound (newest first, so the oldest go)', () => {
    const entries = Array.from({ length: LOBBY_LIMITS.replays + 3 }, (_, i) => ({
      file: `${String(1_000_000 - i)}.sdfz`, size: 1, mtimeMs: 1, status: 'damaged' as const, code: 'truncated', message: 'cut short',
    }));
    const state = lobbyStateFrom(initialSnapshot());
    applyLobbyPatch(state, { slice: 'replays', value: { entries, scanning: true } });
    expect(state.replays.entries).toHaveLength(LOBBY_LIMITS.replays);
    expect(state.replays.entries[0]).toBe(entries[0]);
    expect(state.replays.scanning).toBe(true);
    expect(reduceReplays({ slice: 'replays', value: { entries: [], scanning: false } })).toEqual({ entries: [], scanning: false });
  });

  it('applyLobbyPatch routes every slice and leaves the others alone', () => {
    const state = lobbyStateFrom(initialSnapshot('http://127.0.0.1:1'));
    const before = state.matchmaking;
    applyLobbyPatch(state, { slice: 'chat', append: [line('m1')] });
    applyLobbyPatch(state, { slice: 'self', value: { userId: 'a', username: 'a', displayName: 'A', status: 'menu' } });
    expect(state.chat).toHaveLength(1);
    expect(state.self?.userId).toBe('a');
    expect(state.matchmaking).toBe(before);
  });
});
