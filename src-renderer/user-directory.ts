// The renderer's index of known users: by id (through the shared reducer) and in display order, kept sorted as patches arrive,
// so a patch costs time in proportion to the users it changes, not to every user known (100,000 in the benchmark).
import { applyUsersPatch } from '../src-main/shared/lobby-reducers';
import type { AppPatch, UserView } from '../src-main/contract';

type UsersPatch = Extract<AppPatch, { slice: 'users' }>;

const collator = new Intl.Collator();

/** Display order: by display name as the player's locale sorts it, then by id (so every user has one exact place). */
function compare(a: UserView, b: UserView): number {
  return collator.compare(a.displayName, b.displayName) || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);
}

/** Past this many moved users one rebuild of the order is cheaper than moving each one. */
const REBUILD_AT = 64;

export interface UserPage {
  readonly users: readonly UserView[];
  /** How many users match in all (the page holds at most the limit asked for). */
  readonly total: number;
}

export class UserDirectory {
  private order: UserView[] = [];

  /** `byId` may be a reactive Map: each change then reaches only what reads that user. */
  constructor(readonly byId: Map<string, UserView> = new Map()) {}

  get size(): number {
    return this.byId.size;
  }

  get(userId: string): UserView | undefined {
    return this.byId.get(userId);
  }

  load(users: Readonly<Record<string, UserView>>): void {
    this.byId.clear();
    for (const [userId, user] of Object.entries(users)) this.byId.set(userId, user);
    this.order = [...this.byId.values()].sort(compare);
  }

  /** Applies the patch; true when the display order changed (a user came, went or was renamed), false for status changes. */
  apply(patch: UsersPatch): boolean {
    const leaving = new Set<UserView>();
    const arriving: UserView[] = [];
    const removed = new Set(patch.remove);
    // What the order holds for each id right now, as this loop changes it (an id may come twice in one patch).
    const placed = new Map<string, UserView | null>();
    const current = (userId: string) => (placed.has(userId) ? placed.get(userId) : this.byId.get(userId)) ?? undefined;
    for (const userId of removed) {
      const old = current(userId);
      if (old) leaving.add(old);
      placed.set(userId, null);
    }
    for (const user of patch.upsert) {
      const old = current(user.userId);
      if (old && old.displayName === user.displayName) {
        // Same name, same place: a status change (the common case) moves nothing.
        this.order[this.indexOf(old)] = user;
        placed.set(user.userId, user);
        continue;
      }
      if (old) leaving.add(old);
      placed.set(user.userId, null);
      arriving.push(user);
    }
    applyUsersPatch(this.byId, patch);
    // A user upserted twice in one patch arrives once, as its last version.
    const last = new Map(arriving.map((u) => [u.userId, u]));
    const fresh = [...last.values()].filter((u) => this.byId.get(u.userId) === u);
    if (leaving.size === 0 && fresh.length === 0) return false;
    if (leaving.size + fresh.length <= REBUILD_AT) {
      for (const old of leaving) this.order.splice(this.indexOf(old), 1);
      for (const user of fresh) this.order.splice(this.insertionPoint(user), 0, user);
      return true;
    }
    const kept = leaving.size > 0 ? this.order.filter((u) => !leaving.has(u)) : this.order;
    this.order = mergeSorted(kept, fresh.sort(compare));
    return true;
  }

  /** The first `limit` users in display order whose names contain `search` (case-insensitive), without `exceptId`. */
  page(search: string, limit: number, exceptId: string | null): UserPage {
    const needle = search.trim().toLowerCase();
    const users: UserView[] = [];
    if (!needle) {
      for (const user of this.order) {
        if (users.length >= limit) break;
        if (user.userId !== exceptId) users.push(user);
      }
      // The order's length, not the Map's size: reading a reactive Map's size would tie the page to every status change.
      return { users, total: this.order.length - (exceptId !== null && this.byId.has(exceptId) ? 1 : 0) };
    }
    let total = 0;
    for (const user of this.order) {
      if (user.userId === exceptId) continue;
      if (!user.displayName.toLowerCase().includes(needle) && !user.username.toLowerCase().includes(needle)) continue;
      total++;
      if (users.length < limit) users.push(user);
    }
    return { users, total };
  }

  private insertionPoint(user: UserView): number {
    let low = 0;
    let high = this.order.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(this.order[mid]!, user) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private indexOf(user: UserView): number {
    const at = this.insertionPoint(user);
    if (this.order[at] !== user) throw new Error('user directory out of order');
    return at;
  }
}

/** Merges two sorted lists: a binary search per new entry, then one pass of copying (no comparison per kept entry). */
function mergeSorted(kept: readonly UserView[], fresh: readonly UserView[]): UserView[] {
  const out: UserView[] = [];
  let from = 0;
  for (const user of fresh) {
    let low = from;
    let high = kept.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(kept[mid]!, user) < 0) low = mid + 1;
      else high = mid;
    }
    for (let i = from; i < low; i++) out.push(kept[i]!);
    out.push(user);
    from = low;
  }
  for (let i = from; i < kept.length; i++) out.push(kept[i]!);
  return out;
}
