// How long a player's session outlives its last socket. Teiserver keeps a session alive for 30 s after an abrupt disconnect,
// so a client that reconnects within that time finds its matchmaking as it left it. A leaf: it imports no other module.

export const DEFAULT_SESSION_GRACE_MS = 30_000;

export class SessionGrace {
  private readonly held = new Map<string, NodeJS.Timeout>();

  constructor(private readonly graceMs: number = DEFAULT_SESSION_GRACE_MS) {}

  /** The player's last socket dropped: `expire` runs once the grace is over, unless they are back first. */
  hold(userId: string, expire: () => void): void {
    this.resume(userId);
    if (this.graceMs <= 0) return expire();
    this.held.set(userId, setTimeout(() => {
      this.held.delete(userId);
      expire();
    }, this.graceMs));
  }

  /** The player is back: true when their session was being held (its expiry will not run). */
  resume(userId: string): boolean {
    const timer = this.held.get(userId);
    if (!timer) return false;
    clearTimeout(timer);
    this.held.delete(userId);
    return true;
  }

  isHeld(userId: string): boolean {
    return this.held.has(userId);
  }

  /** The server stops: nothing held expires any more. */
  stop(): void {
    for (const timer of this.held.values()) clearTimeout(timer);
    this.held.clear();
  }
}
