// Which chat lines the player has not seen yet: pure functions over the chat lines and the markers already seen, tested without Vue.
// Markers, not times: a line replayed after a reconnect may be older than one already read, and must still count as new.
import type { ChatLine } from '../src-main/contract';
import { threadKey } from './present';

/** Markers of lines the player has seen (or that were there when the page loaded). */
export type SeenMarkers = ReadonlySet<string>;

/** Everything in `lines` counts as seen: the page's starting point, so a reload does not flag old history as new. */
export function seenAll(lines: readonly ChatLine[]): SeenMarkers {
  return new Set(lines.map((line) => line.marker));
}

/** The thread is on screen: all its lines are seen. Markers of lines no longer held are dropped, so the set stays bounded. */
export function markThreadSeen(seen: SeenMarkers, lines: readonly ChatLine[], key: string, selfId: string | null): SeenMarkers {
  const unseenHere = lines.filter((line) => !seen.has(line.marker) && threadKey(line, selfId) === key);
  if (unseenHere.length === 0) return seen;
  const held = new Set(lines.map((line) => line.marker));
  const next = new Set([...seen].filter((marker) => held.has(marker)));
  for (const line of unseenHere) next.add(line.marker);
  return next;
}

/** Unseen lines from other players, by thread key (our own lines are never news to us). */
export function unreadByThread(lines: readonly ChatLine[], seen: SeenMarkers, selfId: string | null): Readonly<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const line of lines) {
    if (seen.has(line.marker) || line.fromUserId === selfId) continue;
    const key = threadKey(line, selfId);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export function totalUnread(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}
