// What a fresh session asks the server for first (chat history since our marker, playlists, friends), and the queue place a
// server of the revision before `user/self.matchmaking` must be asked for again after a reconnect.
import { IntentError } from './intents';
import { friendsFromList, mmIdle, mmQueued } from './reducers';
import type { LobbyCalls, PlayerIntents } from './lobby-intents';

/** Sends the opening requests of a session; none of them throws (failures are logged or told as a notice). */
export function openSession(lobby: LobbyCalls, intents: PlayerIntents, chatMarker: string | null): void {
  void lobby.quietCall('messaging/subscribeReceived', { since: chatMarker ? { type: 'marker', value: chatMarker } : { type: 'latest' } });
  void intents.refreshPlaylists().catch(() => undefined);
  void lobby.quietCall('friend/list', undefined).then((friends) => {
    if (!friends) return;
    const value = friendsFromList(friends);
    lobby.store.publish({ slice: 'friends', value });
    lobby.watchUsers(value.friendIds);
  });
  // Our matchmaking is not asked for here: the current revision's `user/self` tells it (event-reducer.ts), and only a
  // `user/self` without it has the shell call requeue().
}

/**
 * Queues again for what we were queued for, after a `user/self` that does not say whether the server kept our place (the
 * revision before `user/self.matchmaking`). The request takes the shape the playlists' versions call for.
 */
export async function requeue(lobby: LobbyCalls, intents: PlayerIntents, queues: readonly string[]): Promise<void> {
  const mm = () => lobby.store.view.matchmaking;
  try {
    const before = lobby.matchmakingEvents();
    await intents.sendQueue(queues);
    if (before === lobby.matchmakingEvents()) lobby.store.publish({ slice: 'matchmaking', value: mmQueued(mm(), queues) });
  } catch (error) {
    if (error instanceof IntentError && error.reason === 'already_queued') return;
    // Dropped again before the answer: the next session's `user/self` decides.
    if (error instanceof IntentError && error.code === 'not_connected') return;
    lobby.store.publish({ slice: 'matchmaking', value: mmIdle(mm()) });
    lobby.notice('warning', `Could not rejoin the queue after reconnecting: ${error instanceof Error ? error.message : String(error)}`);
  }
}
