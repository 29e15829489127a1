// The core's copy of the lobby state: applies patches in place through the shared reducers (users in a Map) and tells listeners,
// the busy slices once per burst (one socket read) rather than once per message.
import { applyLobbyPatch, lobbySnapshotOf, lobbyStateFrom, type LobbyState } from '../../shared/lobby-reducers';
import { initialSnapshot, type ChatLine, type LobbyPatch, type LobbySnapshot, type UserView } from './state';

/** The slices a burst of server events changes most: their patches are merged and told to listeners once per burst. */
type BatchedPatch = Extract<LobbyPatch, { slice: 'users' | 'chat' | 'lobbies' | 'lobby' | 'matchmaking' }>;

function isBatched(patch: LobbyPatch): patch is BatchedPatch {
  switch (patch.slice) {
    case 'users':
    case 'chat':
    case 'lobbies':
    case 'lobby':
    case 'matchmaking':
      return true;
    default:
      return false;
  }
}

/**
 * Applies patches and tells listeners. The busy slices (users, chat, the lobby list, the room, matchmaking) are batched: the
 * patches a burst of messages makes (everything handled before the next microtask, i.e. one socket read) reach listeners as
 * one patch per slice, in the order each slice first changed, and before any other patch that comes after them; a new
 * matchmaking phase or another room is never merged away (`mergeable`). Users and
 * value slices are applied at once, so whatever reads the store meanwhile sees them; chat lines are applied when the burst
 * ends (nothing in the core reads them back). `snapshot()` ends the burst first, so a snapshot never holds what its
 * listeners have not been told.
 */
export class LobbyStore {
  private readonly state: LobbyState;
  private readonly listeners = new Set<(patch: LobbyPatch) => void>();
  /** The burst's patch per batched slice; `owned` once its lists are the store's own copies, which later patches extend. */
  private readonly pending = new Map<BatchedPatch['slice'], { patch: BatchedPatch; owned: boolean }>();
  private flushQueued = false;
  /** Bumped whenever listeners are told anything: a value made after the last bump has been seen by no one. */
  private told = 0;
  private draft: { value: object; told: number } | null = null;

  constructor(serverUrl: string) {
    this.state = lobbyStateFrom(initialSnapshot(serverUrl));
  }

  /** The current state as one plain JSON object (users copied out of the map). */
  snapshot(): LobbySnapshot {
    this.flush();
    return lobbySnapshotOf(this.state);
  }

  get view(): Readonly<Omit<LobbyState, 'users'>> {
    return this.state;
  }

  user(userId: string): UserView | undefined {
    return this.state.users.get(userId);
  }

  get userCount(): number {
    return this.state.users.size;
  }

  /** Known user ids, heard of longest ago first (the order eviction follows). */
  userIds(): IterableIterator<string> {
    return this.state.users.keys();
  }

  onPatch(listener: (patch: LobbyPatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(patch: LobbyPatch): void {
    if (!isBatched(patch)) {
      this.flush();
      applyLobbyPatch(this.state, patch);
      this.tell(patch);
      return;
    }
    let before = this.pending.get(patch.slice);
    if (before && !mergeable(before.patch, patch)) {
      // A step listeners act on (a match found, a battle, another room): what came before it is told first, as it was.
      this.flush();
      before = undefined;
    }
    if (patch.slice !== 'chat') applyLobbyPatch(this.state, patch);
    if (before) mergeInto(before, patch);
    else this.pending.set(patch.slice, { patch, owned: false });
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /**
   * Remembers a value a reducer made for the state and handed to no one yet (the lobby list's entries), so the next change in
   * the same burst may update it in place instead of copying it. Once listeners have been told anything, it is shared.
   */
  markDraft(value: object): void {
    this.draft = { value, told: this.told };
  }

  isDraft(value: object): boolean {
    return this.draft !== null && this.draft.value === value && this.draft.told === this.told;
  }

  /** Tells listeners the batched patches of the burst so far. */
  flush(): void {
    this.flushQueued = false;
    if (this.pending.size === 0) return;
    const patches = [...this.pending.values()].map((entry) => entry.patch);
    this.pending.clear();
    for (const patch of patches) {
      if (patch.slice === 'chat') applyLobbyPatch(this.state, patch);
      this.tell(patch);
    }
  }

  private tell(patch: LobbyPatch): void {
    this.told++;
    for (const listener of this.listeners) listener(patch);
  }
}

/**
 * Whether `after` may replace or extend the pending patch of its slice. Lists always; matchmaking only within one phase (a
 * ready count that changes), the room only while it stays the same room: every phase and every room is told.
 */
function mergeable(before: BatchedPatch, after: BatchedPatch): boolean {
  if (before.slice === 'matchmaking' && after.slice === 'matchmaking') return before.value.phase === after.value.phase;
  if (before.slice === 'lobby' && after.slice === 'lobby') return before.value !== null && after.value !== null && before.value.id === after.value.id;
  return true;
}

/** Makes `pending` one patch with the effect of itself and then `after` (same slice), in time proportional to `after`. */
function mergeInto(pending: { patch: BatchedPatch; owned: boolean }, after: BatchedPatch): void {
  const before = pending.patch;
  if (before.slice === 'users' && after.slice === 'users') {
    // Removes go first when a users patch is applied: a user `after` removes must not come back through `before`'s upserts.
    const removed = after.remove.length > 0 ? new Set(after.remove) : null;
    const upsert = removed ? before.upsert.filter((u) => !removed.has(u.userId)) : pending.owned ? before.upsert as UserView[] : [...before.upsert];
    const remove = pending.owned ? before.remove as string[] : [...before.remove];
    for (const user of after.upsert) upsert.push(user);
    for (const userId of after.remove) remove.push(userId);
    pending.patch = { slice: 'users', upsert, remove };
    pending.owned = true;
    return;
  }
  if (before.slice === 'chat' && after.slice === 'chat') {
    const append = pending.owned ? before.append as ChatLine[] : [...before.append];
    for (const line of after.append) append.push(line);
    pending.patch = { slice: 'chat', append };
    pending.owned = true;
    return;
  }
  // Value slices: the last value is the state.
  pending.patch = after;
}
