// Who may connect to the embedded server: players and their bearer tokens (lifelong for addPlayer, short-lived when issued by OAuth).
import { randomBytes } from 'node:crypto';

export interface Account {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly countryCode?: string;
}

interface AccessToken {
  readonly userId: string;
  /** Epoch ms; null for the lifelong tokens addPlayer hands to tests and the local shell. */
  readonly expiresAt: number | null;
  /** The OAuth grant it came from, so revoking the grant (RFC 7009 §2.1) also ends its access tokens. */
  readonly grantId: string | null;
}

export class AccountRegistry {
  private readonly byId = new Map<string, Account>();
  private readonly byToken = new Map<string, AccessToken>();
  private readonly byUsername = new Map<string, Account>();
  /** Prune expired tokens when the map outgrows this (twice what survived the last prune): amortised O(1) per token, not a scan each time. */
  private pruneAt = 1000;
  private nextId = 1;

  constructor(private readonly now: () => number = Date.now) {}

  /** Creates a player (or returns the existing one of that name) and issues a fresh access token for it. */
  addPlayer(username: string, options: { displayName?: string; countryCode?: string } = {}): { account: Account; token: string } {
    let account = this.byUsername.get(username);
    if (!account) {
      account = { userId: String(this.nextId++), username, displayName: options.displayName ?? username, countryCode: options.countryCode };
      this.byId.set(account.userId, account);
      this.byUsername.set(username, account);
    }
    return { account, token: this.issueToken(account.userId) };
  }

  /** Without a lifetime the token never expires (addPlayer's tokens); OAuth passes its `expires_in`. */
  issueToken(userId: string, options: { lifetimeSeconds?: number; grantId?: string } = {}): string {
    if (this.byToken.size > this.pruneAt) {
      this.pruneExpired();
      this.pruneAt = Math.max(1000, this.byToken.size * 2);
    }
    const token = `local_${randomBytes(24).toString('base64url')}`;
    const expiresAt = options.lifetimeSeconds === undefined ? null : this.now() + options.lifetimeSeconds * 1000;
    this.byToken.set(token, { userId, expiresAt, grantId: options.grantId ?? null });
    return token;
  }

  revokeToken(token: string): void {
    this.byToken.delete(token);
  }

  /** Ends every access token issued under one OAuth grant. */
  revokeGrant(grantId: string): void {
    for (const [token, entry] of this.byToken) if (entry.grantId === grantId) this.byToken.delete(token);
  }

  accountForToken(token: string): Account | undefined {
    const entry = this.byToken.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= this.now()) {
      this.byToken.delete(token);
      return undefined;
    }
    return this.byId.get(entry.userId);
  }

  get(userId: string): Account | undefined {
    return this.byId.get(userId);
  }

  all(): Account[] {
    return [...this.byId.values()];
  }

  private pruneExpired(): void {
    const now = this.now();
    for (const [token, entry] of this.byToken) if (entry.expiresAt !== null && entry.expiresAt <= now) this.byToken.delete(token);
  }
}
