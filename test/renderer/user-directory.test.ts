// The renderer's user directory against a plain sort of the same users, over random patches (small ones moved, large rebuilt),
// and its windows of the list (what the People view renders) with and without a search.
import { describe, expect, it } from 'vitest';
import type { UserView } from '../../src-main/contract';
import { UserDirectory } from '../../src-renderer/user-directory';
import { seededRandom } from '../support/schema-sampler';

const NAMES = ['Ann', 'ann', 'Bob', 'Émile', 'emile', 'Zed', '[ABC]carol', '日本', 'Ω', 'bob'];
const collator = new Intl.Collator();
const reference = (users: Iterable<UserView>) =>
  [...users].sort((a, b) => collator.compare(a.displayName, b.displayName) || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));

describe('user directory', () => {
  it('keeps display order and the by-id map right over random patches', () => {
    const random = seededRandom(42);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const directory = new UserDirectory();
    const truth = new Map<string, UserView>();
    directory.load({});
    for (let step = 0; step < 300; step++) {
      const size = pick([1, 2, 5, 70, 200]);
      const upsert: UserView[] = [];
      const remove: string[] = [];
      for (let i = 0; i < size; i++) {
        const userId = `u${Math.floor(random() * 150)}`;
        if (random() < 0.25) remove.push(userId);
        else upsert.push({ userId, username: random() < 0.2 ? `${userId}-ann` : userId, displayName: `${pick(NAMES)}${random() < 0.5 ? '' : Math.floor(random() * 3)}`, clanId: null, status: pick(['menu', 'playing', 'lobby'] as const) });
      }
      directory.apply({ slice: 'users', upsert, remove });
      for (const id of remove) truth.delete(id);
      for (const u of upsert) { truth.delete(u.userId); truth.set(u.userId, u); }
      expect(directory.size).toBe(truth.size);
      const sorted = reference(truth.values());
      expect(directory.window('', 0, 10_000, null)).toEqual({ userIds: sorted.map((u) => u.userId), total: sorted.length });
      for (const [userId, user] of truth) expect(directory.get(userId)).toBe(user);
      // A search sees each user's current names (the order keeps an entry while a patch leaves its names alone).
      const needle = pick(['ann', 'B', 'émile', 'zed', '1']).toLowerCase();
      const found = sorted.filter((u) => u.displayName.toLowerCase().includes(needle) || u.username.toLowerCase().includes(needle));
      expect(directory.window(needle, 0, 10_000, null).userIds).toEqual(found.map((u) => u.userId));
    }
  });

  it('pages by search, without the player themself, and counts every match', () => {
    const directory = new UserDirectory();
    const user = (userId: string, displayName: string): UserView => ({ userId, username: userId, displayName, clanId: null, status: 'menu' });
    directory.load({ a: user('a', 'Alice'), b: user('b', 'Bob'), c: user('c', 'Alina'), me: user('me', 'Aldo') });
    expect(directory.window('', 0, 2, 'me')).toEqual({ userIds: ['a', 'c'], total: 3 });
    expect(directory.window('ali', 0, 1, 'me')).toEqual({ userIds: ['a'], total: 2 });
    expect(directory.window('AL', 0, 10, null).total).toBe(3);
  });

  it('gives any window of the list, skipping the player wherever they sort, and follows renames and status changes', () => {
    const directory = new UserDirectory();
    const user = (i: number, status: UserView['status'] = 'menu'): UserView =>
      ({ userId: `u${i}`, username: `p${i}`, displayName: `Player ${String(i).padStart(3, '0')}`, clanId: null, status });
    directory.load(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`u${i}`, user(i)])));
    const ids = (from: number, to: number, skip = -1) => Array.from({ length: to - from }, (_, k) => from + k).filter((i) => i !== skip).map((i) => `u${i}`);
    expect(directory.window('', 40, 5, null)).toEqual({ userIds: ids(40, 45), total: 100 });
    // The player (u42) is left out: the positions after them show the next users.
    expect(directory.window('', 40, 5, 'u42')).toEqual({ userIds: ids(40, 46, 42), total: 99 });
    expect(directory.window('', 98, 5, 'u42').userIds).toEqual(['u99']);
    expect(directory.window('', 200, 5, null).userIds).toEqual([]);
    // A status change moves nothing and the new view is the one known; a rename moves the user and a search sees it.
    expect(directory.apply({ slice: 'users', upsert: [user(41, 'playing')], remove: [] })).toBe(false);
    expect(directory.get('u41')?.status).toBe('playing');
    expect(directory.window('player 04', 0, 20, null).total).toBe(10);
    expect(directory.apply({ slice: 'users', upsert: [{ ...user(41), displayName: 'Aaron' }], remove: ['u40'] })).toBe(true);
    expect(directory.window('', 0, 2, null).userIds).toEqual(['u41', 'u0']);
    expect(directory.window('player 04', 0, 20, null).userIds).toEqual(ids(42, 50));
    expect(directory.window('aar', 0, 20, null).userIds).toEqual(['u41']);
  });

  it('treats __proto__ and constructor as ids', () => {
    const directory = new UserDirectory();
    directory.load(JSON.parse('{"__proto__":{"userId":"__proto__","username":"p","displayName":"P","clanId":null,"status":"menu"}}') as Record<string, UserView>);
    directory.apply({ slice: 'users', upsert: [{ userId: 'constructor', username: 'c', displayName: 'C', clanId: null, status: 'menu' }], remove: [] });
    expect(directory.window('', 0, 10, null).userIds).toEqual(['constructor', '__proto__']); // C before P
    expect(directory.get('toString')).toBeUndefined();
  });
});
