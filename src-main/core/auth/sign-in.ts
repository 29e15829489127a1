// The interactive sign-in (RFC 8252: native apps, loopback redirect): discovery, PKCE, loopback listener, authorize URL in the system browser,
// code exchange; and resuming from a stored refresh token.
import { silentLogger, type Logger } from '../log';
import { DiscoveryCache, serverOrigin, type AuthServerMetadata, type FetchLike } from './discovery';
import { AuthError, errorText } from './errors';
import { listenForCallback } from './loopback';
import { createPkce, createState } from './pkce';
import type { RefreshTokenStore } from './storage';
import { requestTokens, revokeToken } from './token-endpoint';
import { TokenSession, type AuthEvent, type TokenSessionOptions } from './token-session';

export const DEFAULT_CLIENT_ID = 'generic_lobby';
export const LOBBY_SCOPE = 'tachyon.lobby';

export interface SessionOptions {
  /** http(s) base address of the server. */
  serverUrl: string;
  store: RefreshTokenStore;
  /** `generic_lobby` unless the server gave this app its own id. */
  clientId?: string;
  fetch?: FetchLike;
  /** Shared across sign-ins so discovery follows the server's Cache-Control. */
  discovery?: DiscoveryCache;
  logger?: Logger;
  now?: () => number;
  /** Subscribed before anything happens, so the first `auth success` is seen too. */
  onEvent?: (event: AuthEvent) => void;
  /** Session tuning (tests). */
  refreshMarginMs?: number;
  autoRefresh?: boolean;
}

export interface SignInOptions extends SessionOptions {
  /** Opens the authorize URL in the system browser (Electron: shell.openExternal; headless: print it). Never an app window. */
  openBrowser: (url: string) => void | Promise<void>;
  /** How long the loopback listener waits (default 5 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export function buildAuthorizeUrl(metadata: AuthServerMetadata, params: { clientId: string; redirectUri: string; state: string; challenge: string; scope?: string }): string {
  const url = new URL(metadata.authorizationEndpoint);
  // set(), not a string join: the endpoint may already carry a query (RFC 6749 §3.1).
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', params.clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('scope', params.scope ?? LOBBY_SCOPE);
  url.searchParams.set('state', params.state);
  url.searchParams.set('code_challenge', params.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

/** Signs in through the server's page in the system browser; resolves with a signed-in session whose refresh token is stored. */
export async function signIn(options: SignInOptions): Promise<TokenSession> {
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  const now = options.now ?? Date.now;
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const logger = options.logger ?? silentLogger;
  const metadata = await (options.discovery ?? new DiscoveryCache({ fetch: fetchFn, now })).get(options.serverUrl);
  if (options.signal?.aborted) throw new AuthError('cancelled', 'The sign-in was cancelled.');
  const pkce = createPkce();
  const state = createState();
  const listener = await listenForCallback({ state, timeoutMs: options.timeoutMs });
  const onAbort = () => void listener.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const authorizeUrl = buildAuthorizeUrl(metadata, { clientId, redirectUri: listener.redirectUri, state, challenge: pkce.challenge });
    try {
      await options.openBrowser(authorizeUrl);
    } catch (error) {
      throw new AuthError('cancelled', `Could not open the browser for sign-in: ${errorText(error)}.`);
    }
    logger.info(`waiting for the browser sign-in at ${metadata.issuer}`);
    const { code } = await listener.result;
    let tokens;
    try {
      tokens = await requestTokens(fetchFn, metadata.tokenEndpoint, {
        grant_type: 'authorization_code', code, redirect_uri: listener.redirectUri, client_id: clientId, code_verifier: pkce.verifier,
      }, now);
    } catch (error) {
      if (error instanceof AuthError && error.oauthError === 'invalid_grant') {
        throw new AuthError('token_request_failed', 'The server refused the sign-in code (it expired, was already used, or did not match this app). Start the sign-in again.', 'invalid_grant');
      }
      throw error;
    }
    const session = new TokenSession(sessionOptions(options, metadata, clientId, fetchFn, logger, now), null);
    if (options.onEvent) session.onEvent(options.onEvent);
    await session.accept(tokens);
    return session;
  } catch (error) {
    logger.warn(`sign-in failed: ${errorText(error)}`);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await listener.close();
  }
}

/**
 * Picks up a stored sign-in: refreshes at once with the stored refresh token (which also proves it still works).
 * Null when nothing is stored or the server ended it (the stored token is then deleted); network trouble throws.
 */
export async function resumeSession(options: SessionOptions): Promise<TokenSession | null> {
  const server = serverOrigin(options.serverUrl);
  const stored = await options.store.read(server);
  if (!stored) return null;
  const now = options.now ?? Date.now;
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const metadata = await (options.discovery ?? new DiscoveryCache({ fetch: fetchFn, now })).get(options.serverUrl);
  const session = new TokenSession(sessionOptions(options, metadata, options.clientId ?? DEFAULT_CLIENT_ID, fetchFn, options.logger ?? silentLogger, now), stored);
  if (options.onEvent) session.onEvent(options.onEvent);
  try {
    await session.refresh();
  } catch (error) {
    if (error instanceof AuthError && error.code === 'sign_in_needed') return null;
    throw error;
  }
  return session;
}

function sessionOptions(options: SessionOptions, metadata: AuthServerMetadata, clientId: string, fetchFn: FetchLike, logger: Logger, now: () => number): TokenSessionOptions {
  return {
    server: metadata.issuer, metadata, clientId, store: options.store, fetch: fetchFn, logger, now,
    refreshMarginMs: options.refreshMarginMs, autoRefresh: options.autoRefresh,
  };
}

/**
 * Forgets a remembered sign-in that is not in use (a server removed from the list). Resolves once it is deleted here;
 * `revoked` settles when the server has revoked it (RFC 7009, where offered). Revocation is best effort: it is already
 * unusable from this computer, and an unreachable server must not keep the player waiting.
 */
export async function forgetSignIn(options: SessionOptions): Promise<{ revoked: Promise<boolean> }> {
  const server = serverOrigin(options.serverUrl);
  const refreshToken = await options.store.read(server);
  await options.store.delete(server);
  if (!refreshToken) return { revoked: Promise.resolve(false) };
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const logger = options.logger ?? silentLogger;
  const revoke = async (): Promise<boolean> => {
    const metadata = await (options.discovery ?? new DiscoveryCache({ fetch: fetchFn, now: options.now ?? Date.now })).get(options.serverUrl);
    if (!metadata.revocationEndpoint) return false;
    await revokeToken(fetchFn, metadata.revocationEndpoint, refreshToken, options.clientId ?? DEFAULT_CLIENT_ID);
    logger.info(`forgot the sign-in for ${server} (revoked at the server)`);
    return true;
  };
  return {
    revoked: revoke().catch((error: unknown) => {
      logger.warn(`forgot the sign-in for ${server} here, but could not revoke it at the server (${errorText(error)})`);
      return false;
    }),
  };
}
