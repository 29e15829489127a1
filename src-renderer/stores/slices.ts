// Pure patch functions, one per slice: (state, patch) → next state. The stores are written only through these; tested without Vue.
import type {
  AppPatch,
  AppSnapshot,
  BattleUpdateView,
  ChatLine,
  EngineView,
  Notice,
  StatsView,
  UserView,
} from '../../src-main/contract';

export type PatchOf<S extends AppPatch['slice']> = Extract<AppPatch, { slice: S }>;

// Same bounds as the core keeps (src-main/core/lobby/state.ts); the renderer never holds more than main does.
export const STATS_HISTORY_LIMIT = 360;
export const CHAT_LIMIT = 2_000;
export const NOTICE_LIMIT = 50;
export const ENGINE_CONSOLE_LIMIT = 500;
export const BATTLE_UPDATES_LIMIT = 1_000;

export function appendBounded<T>(list: readonly T[], items: readonly T[], limit: number): readonly T[] {
  if (items.length === 0) return list;
  const next = list.concat(items);
  return next.length > limit ? next.slice(next.length - limit) : next;
}

export function reduceStats(state: StatsView, patch: PatchOf<'stats'>): StatsView {
  return { userCount: patch.userCount, history: appendBounded(state.history, [patch.sample], STATS_HISTORY_LIMIT) };
}

export type UsersState = Readonly<Record<string, UserView>>;

export function reduceUsers(state: UsersState, patch: PatchOf<'users'>): UsersState {
  if (patch.upsert.length === 0 && patch.remove.length === 0) return state;
  const next: Record<string, UserView> = { ...state };
  for (const user of patch.upsert) next[user.userId] = user;
  for (const userId of patch.remove) delete next[userId];
  return next;
}

/** Appends new lines; a marker already shown is never shown twice (a resubscribe after reconnect may repeat the edge). */
export function reduceChat(state: readonly ChatLine[], patch: PatchOf<'chat'>): readonly ChatLine[] {
  const seen = new Set(state.map((line) => line.marker));
  const fresh: ChatLine[] = [];
  for (const line of patch.append) {
    if (seen.has(line.marker)) continue;
    seen.add(line.marker);
    fresh.push(line);
  }
  return appendBounded(state, fresh, CHAT_LIMIT);
}

export function reduceEngine(state: EngineView, patch: PatchOf<'engine'> | PatchOf<'engineConsole'>): EngineView {
  if (patch.slice === 'engine') return { ...patch.value, console: state.console };
  return { ...state, console: appendBounded(state.console, patch.append, ENGINE_CONSOLE_LIMIT) };
}

export function reduceNotices(state: readonly Notice[], patch: PatchOf<'notice'>): readonly Notice[] {
  return appendBounded(state, [patch.value], NOTICE_LIMIT);
}

export function reduceBattleUpdates(state: readonly BattleUpdateView[], patch: PatchOf<'battleUpdates'>): readonly BattleUpdateView[] {
  return appendBounded(state, patch.append, BATTLE_UPDATES_LIMIT);
}

/** The slices a `reset` or the first snapshot replaces wholesale. */
export type SnapshotSlices = AppSnapshot;
