// Ties a TokenSession to a TachyonConnection: a 401 on the upgrade refreshes once and reconnects; a second 401 asks the player to sign in.
import type { TokenSession } from './token-session';

/** A TachyonConnection, or a lobby app adapted to it (its connection patches and the reconnectNow intent). */
export interface UnauthorizedAware {
  onStatus(listener: (status: { readonly phase: string }) => void): () => void;
  retryNow(): void;
}

/**
 * An HTTP 401 on the upgrade: refresh the token once, then ask the player to sign in again (RFC 6750 §3.1 invalid_token).
 * The connection must take `() => session.getAccessToken()` as its getToken, so the retry picks the refreshed token.
 * Returns the unsubscribe function.
 */
export function refreshOnUnauthorized(session: TokenSession, connection: UnauthorizedAware): () => void {
  let refreshedSinceConnected = false;
  return connection.onStatus((status) => {
    if (status.phase === 'connected') {
      refreshedSinceConnected = false;
      return;
    }
    if (status.phase !== 'unauthorized' || session.state !== 'signed-in') return;
    if (refreshedSinceConnected) {
      void session.requireSignIn('The server refused the sign-in even after a token refresh.');
      return;
    }
    refreshedSinceConnected = true;
    session.invalidateAccessToken();
    // retryNow skips the backoff and calls getToken, which refreshes (single-flight) before the upgrade.
    // Deferred: the other status listeners still have to see `unauthorized` before the next attempt starts.
    queueMicrotask(() => connection.retryNow());
  });
}
