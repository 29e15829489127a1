// Who may connect to the embedded server: players and their bearer tokens.
import { randomBytes, randomUUID } from 'node:crypto';

export interface Account {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly countryCode?: string;
}

export class AccountRegistry {
  private readonly byId = new Map<string, Account>();
  private readonly byToken = new Map<string, string>();
  private nextId = 1;

  /** Creates a player (or returns the existing one of that name) and issues a fresh access token for it. */
  addPlayer(username: string, options: { displayName?: string; countryCode?: string } = {}): { account: Account; token: string } {
    let account = [...this.byId.values()].find((a) => a.username === username);
    if (!account) {
      account = { userId: String(this.nextId++), username, displayName: options.displayName ?? username, countryCode: options.countryCode };
      this.byId.set(account.userId, account);
    }
    return { account, token: this.issueToken(account.userId) };
  }

  issueToken(userId: string): string {
    const token = `local_${randomBytes(24).toString('base64url')}`;
    this.byToken.set(token, userId);
    return token;
  }

  revokeToken(token: string): void {
    this.byToken.delete(token);
  }

  accountForToken(token: string): Account | undefined {
    const userId = this.byToken.get(token);
    return userId === undefined ? undefined : this.byId.get(userId);
  }

  get(userId: string): Account | undefined {
    return this.byId.get(userId);
  }

  all(): Account[] {
    return [...this.byId.values()];
  }
}

export const newMarker = (): string => randomUUID();
