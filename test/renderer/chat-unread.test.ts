// Unread chat, without Vue: counted per conversation from other players only, cleared by looking, and a replayed older line still counts.
import { describe, expect, it } from 'vitest';
import type { ChatLine } from '../../src-main/contract';
import { markThreadSeen, seenAll, totalUnread, unreadByThread } from '../../src-renderer/chat-unread';

const ME = 'me';
const dm = (marker: string, from: string, to: string, at = 1): ChatLine => ({ marker, at, fromUserId: from, channel: { type: 'player', userId: to }, text: marker });
const party = (marker: string, from: string): ChatLine => ({ marker, at: 1, fromUserId: from, channel: { type: 'party', partyId: 'p1' }, text: marker });

describe('chat unread', () => {
  it('counts lines from others per conversation, never our own, and nothing the page started with', () => {
    const history = [dm('h1', 'bob', ME)];
    const seen = seenAll(history);
    const lines = [...history, dm('m1', 'bob', ME), dm('m2', ME, 'bob'), dm('m3', 'carol', ME), party('p1', 'bob'), party('p2', ME)];
    const counts = unreadByThread(lines, seen, ME);
    expect(counts).toEqual({ 'player:bob': 1, 'player:carol': 1, party: 1 });
    expect(totalUnread(counts)).toBe(3);
  });

  it('clears one conversation when it is on screen, and keeps the others', () => {
    const lines = [dm('m1', 'bob', ME), dm('m2', 'bob', ME), dm('m3', 'carol', ME)];
    const seen = markThreadSeen(new Set(), lines, 'player:bob', ME);
    expect(unreadByThread(lines, seen, ME)).toEqual({ 'player:carol': 1 });
    // Nothing new there: the same set comes back, so the store does not re-render for nothing.
    expect(markThreadSeen(seen, lines, 'player:bob', ME)).toBe(seen);
  });

  it('counts a line replayed after a reconnect even when it is older than the newest one read', () => {
    const read = [dm('m2', 'bob', ME, 200)];
    const seen = markThreadSeen(new Set(), read, 'player:bob', ME);
    const afterReplay = [...read, dm('m1', 'bob', ME, 100)];
    expect(unreadByThread(afterReplay, seen, ME)).toEqual({ 'player:bob': 1 });
  });

  it('forgets markers of lines no longer held, so the set stays as small as the chat', () => {
    const seen = seenAll([dm('gone', 'bob', ME)]);
    const next = markThreadSeen(seen, [dm('new', 'bob', ME)], 'player:bob', ME);
    expect([...next]).toEqual(['new']);
  });
});
