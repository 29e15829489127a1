// The renderer's index of known users: by id (through the shared reducer) and in display order, kept sorted as patches arrive,
// so a patch costs time in proportion to the users it moves, not to every user known (100,000 in the benchmark), and a
// status change (the common case) moves nothing at all.
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

export interface UserWindow {
  /** The ids from `offset` on, at most the limit asked for, in display order. */
  readonly userIds: readonly string[];
  /** How many users match in all. */
  readonly total: number;
}

export class UserDirectory {
  readonly byId = new Map<string, UserView>();
  /**
   * Every user in display order, as the view it was placed with: only its keys (id, display name, username) are read from
   * it, and a newer view with the same keys (a status change) leaves it in place. The current view is in `byId`.
   */
  private order: UserView[] = [];
  /** The last search's matches (in display order), kept until the search, the player or the order changes (scrolling pages them). */
  private matches: { needle: string; exceptId: string | null; found: readonly UserView[] } | null = null;

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
    this.matches = null;
  }

  /** Applies the patch; true when the display order changed (a user came, went or was renamed), false for status changes. */
  apply(patch: UsersPatch): boolean {
    // By id, the view whose keys the order's entry has (the view before this patch), for those that leave their place.
    const leaving = new Map<string, UserView>();
    const arriving = new Map<string, UserView>();
    // The keys each id's entry has as this loop goes (an id may come twice in one patch); null once it has left its place.
    const placed = new Map<string, UserView | null>();
    const placedAs = (userId: string) => (placed.has(userId) ? placed.get(userId) : this.byId.get(userId)) ?? undefined;
    const leave = (userId: string) => {
      const old = placedAs(userId);
      if (old) leaving.set(userId, old);
      placed.set(userId, null);
      arriving.delete(userId);
    };
    for (const userId of patch.remove) leave(userId);
    for (const user of patch.upsert) {
      const old = placedAs(user.userId);
      // Same keys, same place: the order keeps its entry (no search, no move).
      if (old && old.displayName === user.displayName && old.username === user.username) continue;
      leave(user.userId);
      // A user upserted twice in one patch arrives once, as its last version.
      arriving.set(user.userId, user);
    }
    applyUsersPatch(this.byId, patch);
    if (leaving.size === 0 && arriving.size === 0) return false;
    const fresh = [...arriving.values()];
    if (leaving.size + fresh.length <= REBUILD_AT) {
      for (const old of leaving.values()) this.order.splice(this.indexOf(old), 1);
      for (const user of fresh) this.order.splice(this.insertionPoint(user), 0, user);
    } else {
      const kept = leaving.size > 0 ? this.order.filter((u) => !leaving.has(u.userId)) : this.order;
      this.order = mergeSorted(kept, fresh.sort(compare));
    }
    this.matches = null;
    return true;
  }

  /**
   * The users from `offset` on (at most `limit`) in display order whose display name or username contains `search`
   * (case-insensitive), without `exceptId`. With no search this is a slice; a search scans once, then pages its matches.
   */
  window(search: string, offset: number, limit: number, exceptId: string | null): UserWindow {
    const needle = search.trim().toLowerCase();
    const from = Math.max(0, Math.floor(offset));
    const count = Math.max(0, Math.floor(limit));
    if (!needle) {
      // Without the player: the order's index of each shown position skips their own entry.
      const self = exceptId === null ? undefined : this.byId.get(exceptId);
      const selfAt = self ? this.indexOf(self) : this.order.length;
      const total = this.order.length - (self ? 1 : 0);
      const userIds: string[] = [];
      for (let i = from; i < Math.min(total, from + count); i++) userIds.push(this.order[i < selfAt ? i : i + 1]!.userId);
      return { userIds, total };
    }
    const found = this.matching(needle, exceptId);
    return { userIds: found.slice(from, from + count).map((u) => u.userId), total: found.length };
  }

  private matching(needle: string, exceptId: string | null): readonly UserView[] {
    if (this.matches?.needle !== needle || this.matches.exceptId !== exceptId) {
      const found = this.order.filter((u) =>
        u.userId !== exceptId && (u.displayName.toLowerCase().includes(needle) || u.username.toLowerCase().includes(needle)));
      this.matches = { needle, exceptId, found };
    }
    return this.matches.found;
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

  /** Where a placed user is, found by its keys: any view of that user with the entry's display name finds it. */
  private indexOf(user: UserView): number {
    const at = this.insertionPoint(user);
    if (this.order[at]?.userId !== user.userId) throw new Error('user directory out of order');
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
