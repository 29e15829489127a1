// The core's copy of the lobby state: applies patches in place through the shared reducers (users in a Map) and tells listeners.
import { applyLobbyPatch, lobbySnapshotOf, lobbyStateFrom, type LobbyState } from '../../shared/lobby-reducers';
import { initialSnapshot, type LobbyPatch, type LobbySnapshot, type UserView } from './state';

export class LobbyStore {
  private readonly state: LobbyState;
  private readonly listeners = new Set<(patch: LobbyPatch) => void>();

  constructor(serverUrl: string) {
    this.state = lobbyStateFrom(initialSnapshot(serverUrl));
  }

  /** The current state as one plain JSON object (users copied out of the map). */
  snapshot(): LobbySnapshot {
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
    applyLobbyPatch(this.state, patch);
    for (const listener of this.listeners) listener(patch);
  }
}
