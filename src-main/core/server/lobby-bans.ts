// Who a lobby's kickban keeps out, and until when (Teiserver's `Kickban` event). Part of `LobbyRoom` (`lobby-state.ts`).
import { LobbyRefusal } from './lobby-rules';

export class LobbyBans {
  /** userId → banned until (µs). */
  private readonly bans = new Map<string, number>();

  /** `max`: the bans remembered; past it the soonest to expire go first. */
  constructor(private readonly max: number, private readonly nowUs: () => number) {}

  get size(): number {
    return this.bans.size;
  }

  /** Refuses a banned user's `lobby/join` with "Banned until <ISO 8601>"; a ban that expired is forgotten. */
  admit(userId: string): void {
    const ban = this.bans.get(userId);
    if (ban === undefined) return;
    if (ban > this.nowUs()) throw new LobbyRefusal('banned', `Banned until ${new Date(Math.floor(ban / 1000)).toISOString()}`);
    this.bans.delete(userId);
  }

  add(userId: string, until: number): void {
    const now = this.nowUs();
    for (const [id, expires] of this.bans) if (expires <= now) this.bans.delete(id);
    this.bans.delete(userId);
    this.bans.set(userId, until);
    if (this.bans.size > this.max) {
      const soonest = [...this.bans].sort((a, b) => a[1] - b[1])[0];
      if (soonest) this.bans.delete(soonest[0]);
    }
  }
}
