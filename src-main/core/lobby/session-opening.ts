// What a fresh session asks the server for first: chat history since our marker, playlists, friends, and our queue place back.
import { IntentError } from './intents';
import { friendsFromList, mmIdle, mmQueued } from './reducers';
import { isInQueue } from '../../shared/matchmaking';
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
  // The server may have dropped us from matchmaking with the socket; queue again so a reconnect never loses our place.
  const mm = lobby.store.view.matchmaking;
  if (isInQueue(mm) && mm.queues.length > 0) void requeue(lobby, mm.queues);
}

async function requeue(lobby: LobbyCalls, queues: readonly string[]): Promise<void> {
  const mm = () => lobby.store.view.matchmaking;
  try {
    const before = lobby.matchmakingEvents();
    await lobby.call('matchmaking/queue', { queues: queues.slice() });
    if (before === lobby.matchmakingEvents()) lobby.store.publish({ slice: 'matchmaking', value: mmQueued(mm(), queues) });
  } catch (error) {
    if (error instanceof IntentError && error.reason === 'already_queued') return;
    lobby.store.publish({ slice: 'matchmaking', value: mmIdle(mm()) });
    lobby.notice('warning', `Could not rejoin the queue after reconnecting: ${error instanceof Error ? error.message : String(error)}`);
  }
}
