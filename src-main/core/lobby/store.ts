// The core's copy of the lobby state: applies patches in place (users in a Map, so a 10,000-user lobby stays cheap) and tells listeners.
import {
  appendBounded, BATTLE_UPDATES_LIMIT, CHAT_LIMIT, ENGINE_CONSOLE_LIMIT, initialSnapshot, NOTICE_LIMIT, STATS_HISTORY_LIMIT, assertNever,
  type LobbyPatch, type LobbySnapshot, type UserView,
} from './state';

type MutableSnapshot = { -readonly [K in keyof LobbySnapshot]: LobbySnapshot[K] };

export class LobbyStore {
  private readonly state: MutableSnapshot;
  private readonly users = new Map<string, UserView>();
  private readonly listeners = new Set<(patch: LobbyPatch) => void>();

  constructor(serverUrl: string) {
    this.state = { ...initialSnapshot(serverUrl) };
  }

  /** The current state as one plain JSON object (users copied out of the map). */
  snapshot(): LobbySnapshot {
    return { ...this.state, users: Object.fromEntries(this.users) };
  }

  get view(): Readonly<Omit<LobbySnapshot, 'users'>> {
    return this.state;
  }

  user(userId: string): UserView | undefined {
    return this.users.get(userId);
  }

  get userCount(): number {
    return this.users.size;
  }

  onPatch(listener: (patch: LobbyPatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(patch: LobbyPatch): void {
    this.apply(patch);
    for (const listener of this.listeners) listener(patch);
  }

  private apply(patch: LobbyPatch): void {
    const s = this.state;
    switch (patch.slice) {
      case 'connection': s.connection = patch.value; return;
      case 'self': s.self = patch.value; return;
      case 'stats':
        s.stats = { userCount: patch.userCount, history: appendBounded(s.stats.history, [patch.sample], STATS_HISTORY_LIMIT) };
        return;
      case 'users':
        for (const user of patch.upsert) this.users.set(user.userId, user);
        for (const userId of patch.remove) this.users.delete(userId);
        return;
      case 'chat': s.chat = appendBounded(s.chat, patch.append, CHAT_LIMIT); return;
      case 'matchmaking': s.matchmaking = patch.value; return;
      case 'friends': s.friends = patch.value; return;
      case 'party': s.party = patch.value; return;
      case 'battle': s.battle = patch.value; return;
      case 'engine': s.engine = { ...patch.value, console: s.engine.console }; return;
      case 'engineConsole': s.engine = { ...s.engine, console: appendBounded(s.engine.console, patch.append, ENGINE_CONSOLE_LIMIT) }; return;
      case 'battleUpdates': s.battleUpdates = appendBounded(s.battleUpdates, patch.append, BATTLE_UPDATES_LIMIT); return;
      case 'notice': s.notices = appendBounded(s.notices, [patch.value], NOTICE_LIMIT); return;
      default: assertNever(patch);
    }
  }
}
