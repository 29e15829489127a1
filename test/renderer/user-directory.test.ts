// The renderer's user directory against a plain sort of the same users, over random patches (small ones moved, large rebuilt).
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
        else upsert.push({ userId, username: userId, displayName: `${pick(NAMES)}${random() < 0.5 ? '' : Math.floor(random() * 3)}`, clanId: null, status: pick(['menu', 'playing', 'lobby'] as const) });
      }
      directory.apply({ slice: 'users', upsert, remove });
      for (const id of remove) truth.delete(id);
      for (const u of upsert) { truth.delete(u.userId); truth.set(u.userId, u); }
      expect(directory.size).toBe(truth.size);
      expect(directory.page('', 10_000, null).users).toEqual(reference(truth.values()));
    }
  });

  it('pages by search, without the player themself, and counts every match', () => {
    const directory = new UserDirectory();
    const user = (userId: string, displayName: string): UserView => ({ userId, username: userId, displayName, clanId: null, status: 'menu' });
    directory.load({ a: user('a', 'Alice'), b: user('b', 'Bob'), c: user('c', 'Alina'), me: user('me', 'Aldo') });
    expect(directory.page('', 2, 'me')).toEqual({ users: [user('a', 'Alice'), user('c', 'Alina')], total: 3 });
    expect(directory.page('ali', 1, 'me')).toEqual({ users: [user('a', 'Alice')], total: 2 });
    expect(directory.page('AL', 10, null).total).toBe(3);
  });

  it('treats __proto__ and constructor as ids', () => {
    const directory = new UserDirectory();
    directory.load(JSON.parse('{"__proto__":{"userId":"__proto__","username":"p","displayName":"P","clanId":null,"status":"menu"}}') as Record<string, UserView>);
    directory.apply({ slice: 'users', upsert: [{ userId: 'constructor', username: 'c', displayName: 'C', clanId: null, status: 'menu' }], remove: [] });
    expect(directory.page('', 10, null).users.map((u) => u.userId)).toEqual(['constructor', '__proto__']); // C before P
    expect(directory.get('toString')).toBeUndefined();
  });
});
