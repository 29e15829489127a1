// One signed-in session with one server: access token in memory, refresh token in a store, single-flight refresh with rotation, sign-out.
import { silentLogger, type Logger } from '../log';
import type { AuthServerMetadata, FetchLike } from './discovery';
import { AuthError, errorText } from './errors';
import type { RefreshTokenStore } from './storage';
import { requestTokens, revokeToken, type TokenSet } from './token-endpoint';

/** Player-facing events: `auth success`, `token expiring`, `token expired`. */
export type AuthEventName = 'auth success' | 'token expiring' | 'token expired';
export interface AuthEvent {
  /** `auth success`: signed in or refreshed; `token expiring`: a refresh started; `token expired`: sign in again. */
  readonly event: AuthEventName;
  /** For `token expired`: why, in words. */
  readonly message?: string;
}

export type SessionState = 'signed-in' | 'signed-out';

export interface TokenSessionOptions {
  /** The server's origin: the key in the store. */
  server: string;
  metadata: AuthServerMetadata;
  clientId: string;
  store: RefreshTokenStore;
  fetch?: FetchLike;
  logger?: Logger;
  now?: () => number;
  /** Refresh when less than this remains (60 s). */
  refreshMarginMs?: number;
  /** Refresh on a timer before expiry even while nobody asks (default true). */
  autoRefresh?: boolean;
  /** The shortest wait from one token to its refresh, whatever lifetime the server states (default 1 s). */
  minRefreshIntervalMs?: number;
}

/** setTimeout's longest delay; Node fires a longer one after 1 ms (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MIN_REFRESH_INTERVAL_MS = 1_000;

export class TokenSession {
  private tokens: TokenSet | null = null;
  private refreshAt: number | null = null;
  private refreshToken: string | null;
  private inflight: Promise<string> | null = null;
  private currentState: SessionState = 'signed-in';
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(event: AuthEvent) => void>();
  private readonly fetch: FetchLike;
  private readonly logger: Logger;
  private readonly now: () => number;

  /** Use signIn() or resumeSession(); the constructor trusts what it is given. */
  constructor(private readonly options: TokenSessionOptions, refreshToken: string | null) {
    this.refreshToken = refreshToken;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
  }

  get server(): string {
    return this.options.server;
  }

  get state(): SessionState {
    return this.currentState;
  }

  /** When the current access token expires (epoch ms), if known. */
  get expiresAt(): number | null {
    return this.tokens?.expiresAt ?? null;
  }

  onEvent(listener: (event: AuthEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes freshly issued tokens (after the code exchange): keeps the refresh token, announces `auth success`. */
  async accept(tokens: TokenSet): Promise<void> {
    await this.store(tokens);
    this.logger.info(`signed in to ${this.server}`);
    this.emit({ event: 'auth success' });
  }

  /**
   * The access token to connect with: refreshed first when it is missing or close to expiry.
   * Pass this as the connection's getToken, so every (re)connect checks it.
   */
  async getAccessToken(): Promise<string> {
    if (this.currentState === 'signed-out') throw signInNeeded();
    if (this.inflight) return this.inflight;
    const tokens = this.tokens;
    if (tokens && (this.refreshAt === null || this.now() < this.refreshAt)) return tokens.accessToken;
    if (tokens && !this.refreshToken && tokens.expiresAt !== null && this.now() < tokens.expiresAt) return tokens.accessToken;
    return this.refresh();
  }

  /** The server refused our access token (HTTP 401): the next getAccessToken() refreshes. */
  invalidateAccessToken(): void {
    this.tokens = null;
    this.refreshAt = null;
  }

  /** Refreshes now; concurrent callers share one request (single-flight), and rotation is honoured. */
  refresh(): Promise<string> {
    if (this.currentState === 'signed-out') return Promise.reject(signInNeeded());
    this.inflight ??= this.doRefresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** The server will not take this sign-in any more (a 401 right after a refresh): forget it and ask the player. */
  async requireSignIn(reason: string): Promise<void> {
    await this.end(reason);
  }

  /**
   * Sign-out: revoke the refresh token where the server offers RFC 7009, delete it locally, then
   * `disconnect` (the caller's system/disconnect). Revocation failing does not keep the player signed in.
   */
  async signOut(options: { disconnect?: () => Promise<void> | void } = {}): Promise<{ revoked: boolean }> {
    await this.inflight?.catch(() => undefined);
    const refreshToken = this.refreshToken;
    this.clear();
    let revoked = false;
    const endpoint = this.options.metadata.revocationEndpoint;
    if (refreshToken && endpoint) {
      try {
        await revokeToken(this.fetch, endpoint, refreshToken, this.options.clientId);
        revoked = true;
      } catch (error) {
        this.logger.warn(`sign-out: could not revoke at the server (${errorText(error)}); forgetting the sign-in locally anyway`);
      }
    }
    await this.options.store.delete(this.server);
    this.logger.info(`signed out of ${this.server}${revoked ? ' (revoked at the server)' : ''}`);
    await options.disconnect?.();
    return { revoked };
  }

  /** Stops the refresh timer (the session stays usable on demand). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async doRefresh(): Promise<string> {
    const refreshToken = this.refreshToken;
    if (!refreshToken) {
      await this.end('This server gave no refresh token and the sign-in has expired.');
      throw signInNeeded();
    }
    this.emit({ event: 'token expiring' });
    this.logger.info('refreshing the access token');
    let tokens: TokenSet;
    try {
      tokens = await requestTokens(this.fetch, this.options.metadata.tokenEndpoint, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: this.options.clientId }, this.now);
    } catch (error) {
      if (error instanceof AuthError && error.oauthError === 'invalid_grant') {
        // RFC 6749 §5.2: the refresh token is revoked, expired or already used: only a new sign-in helps.
        await this.end('The server ended this sign-in (the refresh token is no longer valid).');
        throw signInNeeded();
      }
      this.logger.warn(`refresh failed, will retry: ${errorText(error)}`);
      throw error;
    }
    // Signed out while the request was in flight: do not resurrect the session.
    if (this.currentState === 'signed-out') throw signInNeeded();
    await this.store(tokens);
    this.emit({ event: 'auth success' });
    return tokens.accessToken;
  }

  private async store(tokens: TokenSet): Promise<void> {
    this.tokens = tokens;
    // Rotation (RFC 6749 §6, OAuth 2.0 Security BCP): a new refresh token replaces the old one; without one the old stays valid.
    if (tokens.refreshToken && tokens.refreshToken !== this.refreshToken) {
      this.refreshToken = tokens.refreshToken;
      await this.options.store.write(this.server, tokens.refreshToken);
    }
    this.schedule(tokens);
  }

  private schedule(tokens: TokenSet): void {
    this.dispose();
    if (tokens.expiresAt === null) {
      this.refreshAt = null;
      return;
    }
    const now = this.now();
    const lifetime = Math.max(0, tokens.expiresAt - now);
    // Short-lived tokens (under two margins) refresh at half-life, or every use would refresh; a lifetime of next to
    // nothing still waits the minimum, so a server answering `expires_in: 0.0001` cannot make every answer a new request.
    // A token that lives a minute or more therefore waits at least 30 s; only tokens the server says are shorter go sooner.
    const wait = Math.max(lifetime - (this.options.refreshMarginMs ?? 60_000), lifetime / 2, this.options.minRefreshIntervalMs ?? MIN_REFRESH_INTERVAL_MS);
    this.refreshAt = now + wait;
    if (this.options.autoRefresh === false || !this.refreshToken) return;
    this.armTimer(this.refreshAt);
  }

  /** Fires at `refreshAt`, re-arming in steps when that is beyond setTimeout's range. */
  private armTimer(refreshAt: number): void {
    const wait = Math.max(0, refreshAt - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      if (wait > MAX_TIMER_MS) return this.armTimer(refreshAt);
      this.refresh().catch((error: unknown) => this.logger.warn(`background refresh failed: ${errorText(error)}`));
    }, Math.min(wait, MAX_TIMER_MS));
    this.timer.unref();
  }

  private async end(reason: string): Promise<void> {
    if (this.currentState === 'signed-out') return;
    this.clear();
    await this.options.store.delete(this.server);
    this.logger.warn(`sign-in needed for ${this.server}: ${reason}`);
    this.emit({ event: 'token expired', message: `${reason} Sign in again.` });
  }

  private clear(): void {
    this.currentState = 'signed-out';
    this.tokens = null;
    this.refreshAt = null;
    this.refreshToken = null;
    this.dispose();
  }

  private emit(event: AuthEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`auth event listener failed: ${errorText(error)}`);
      }
    }
  }
}

function signInNeeded(): AuthError {
  return new AuthError('sign_in_needed', 'You are not signed in to this server any more. Sign in again.');
}
