// The mixed inbound stream of a busy session: presence, chat, matchmaking and custom-lobby events, for the inbound benchmark.
import { randomUUID } from 'node:crypto';

/** Where the mix's lobby events point: the lobby the client sits in, the lobbies it lists, and a chat partner. */
export interface MixTargets {
  readonly lobbyId: string;
  readonly listedLobbyIds: readonly string[];
  readonly fromUserId: string;
}

/**
 * `count` events, every tenth slot laid out as: four `user/updated`, two `messaging/received` (a player's and the lobby's
 * chat), one `matchmaking/foundUpdate`, two `lobby/listUpdated` and one `lobby/updated`; the last is a `user/updated`, so the
 * bench can tell when the whole stream has landed. Every event is valid in the schema set the lobby accepts.
 */
export function mixedFrames(count: number, distinctUsers: number, targets: MixTargets): string[] {
  const frames: string[] = [];
  const now = Date.now() * 1000;
  for (let i = 0; i < count; i++) {
    const slot = i === count - 1 ? 0 : i % 10;
    const messageId = `mix-${i}`;
    const id = i % distinctUsers;
    let commandId: string;
    let data: unknown;
    if (slot < 4) {
      commandId = 'user/updated';
      data = { users: [{ userId: `u${id}`, username: `player${id}`, displayName: `Player ${id} #${i}`, clanId: null, status: i % 3 === 0 ? 'playing' : 'menu', countryCode: 'SE' }] };
    } else if (slot < 6) {
      commandId = 'messaging/received';
      const source = slot === 4 ? { type: 'player', userId: targets.fromUserId } : { type: 'lobby', lobbyId: targets.lobbyId, userId: targets.fromUserId };
      data = { message: `gg wp ${i}, see you in the next one`, source, timestamp: now + i, marker: `m-${randomUUID()}` };
    } else if (slot === 6) {
      commandId = 'matchmaking/foundUpdate';
      data = { readyCount: i % 8 };
    } else if (slot < 9) {
      commandId = 'lobby/listUpdated';
      const listed = targets.listedLobbyIds[i % targets.listedLobbyIds.length] ?? targets.lobbyId;
      data = { lobbies: { [listed]: { id: listed, playerCount: i % 16, mapName: `Map ${i % 50}` } } };
    } else {
      commandId = 'lobby/updated';
      data = i % 20 === 9 ? { id: targets.lobbyId, mapName: `Map ${i % 50}` } : { id: targets.lobbyId, gameOptions: { startMetal: { value: String(i % 2000) } } };
    }
    frames.push(JSON.stringify({ type: 'event', messageId, commandId, data }));
  }
  return frames;
}
