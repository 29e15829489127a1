// The one-shot loopback redirect listener of RFC 8252 §7.3: 127.0.0.1, an OS-chosen port, /oauth2callback, one answer, then closed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { AuthError, serverText } from './errors';

export const CALLBACK_PATH = '/oauth2callback';
export const DEFAULT_SIGN_IN_TIMEOUT_MS = 5 * 60_000;

export interface LoopbackListener {
  /** `http://127.0.0.1:<port>/oauth2callback`: sent byte-identical in the authorize and the token request. */
  readonly redirectUri: string;
  /** The authorization code, or an AuthError in words (denied, state mismatch, timeout, cancelled). */
  readonly result: Promise<{ code: string }>;
  /** Stops waiting (the result rejects with `cancelled` if still pending). */
  close(): Promise<void>;
}

/** Why the server's page sent the player back without a code (RFC 6749 §4.1.2.1), in words. */
export function describeAuthorizationError(error: string, description: string | null): AuthError {
  const detail = description ? ` (the server said: ${serverText(description)})` : '';
  switch (error) {
    case 'access_denied':
      return new AuthError('access_denied', 'You declined the sign-in on the server\'s page, so the lobby was not signed in. Sign in again when you want to play.', error);
    case 'invalid_scope':
      return new AuthError('authorization_failed', `The server does not grant the lobby scope this app needs${detail}.`, error);
    case 'unauthorized_client':
    case 'unsupported_response_type':
      return new AuthError('authorization_failed', `The server does not let this app sign in this way${detail}.`, error);
    case 'server_error':
    case 'temporarily_unavailable':
      return new AuthError('authorization_failed', `The server could not complete the sign-in right now; try again in a moment${detail}.`, error);
    case 'invalid_request':
      return new AuthError('authorization_failed', `The server rejected the sign-in request${detail}.`, error);
    default:
      return new AuthError('authorization_failed', `The sign-in failed with "${serverText(error, 60)}"${detail}.`, error);
  }
}

export async function listenForCallback(options: { state: string; timeoutMs?: number }): Promise<LoopbackListener> {
  const server: Server = createServer();
  let settle: ((outcome: { code: string } | AuthError) => void) | null = null;
  const result = new Promise<{ code: string }>((resolve, reject) => {
    settle = (outcome) => {
      settle = null;
      if (outcome instanceof AuthError) reject(outcome);
      else resolve(outcome);
    };
  });
  // Callers may not await the result (e.g. the browser failed to open); a rejection must not become unhandled.
  result.catch(() => undefined);
  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      clearTimeout(timer);
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  const finish = (outcome: { code: string } | AuthError) => {
    settle?.(outcome);
    void close();
  };
  const timer = setTimeout(() => {
    finish(new AuthError('timeout', 'Nobody finished the sign-in in the browser within 5 minutes. Start it again from the lobby.'));
  }, options.timeoutMs ?? DEFAULT_SIGN_IN_TIMEOUT_MS);

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH || settle === null) {
      // Stray requests (favicon, probes) do not end the attempt.
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('Not found\n');
      return;
    }
    const q = url.searchParams;
    const state = q.get('state');
    const wrongState = state === null || !sameText(state, options.state);
    if (wrongState && q.get('code') === null && q.get('error') === null) {
      // Not an authorization reply at all (a probe, any local process knocking): refused, but the sign-in goes on, so
      // nobody on this machine can end it with one request.
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('Not a sign-in reply\n');
      return;
    }
    let outcome: { code: string } | AuthError;
    if (wrongState) {
      // RFC 6749 §10.12: a reply we did not ask for (CSRF or a stale tab) is refused and the attempt ends.
      outcome = new AuthError('state_mismatch', 'The sign-in reply did not belong to the sign-in this lobby started (its state did not match), so it was refused. Start the sign-in again.');
    } else if (q.get('error') !== null) {
      outcome = describeAuthorizationError(q.get('error') ?? '', q.get('error_description'));
    } else if (!q.get('code')) {
      outcome = new AuthError('authorization_failed', 'The server sent the browser back without an authorization code.');
    } else {
      outcome = { code: q.get('code') ?? '' };
    }
    const ok = !(outcome instanceof AuthError);
    res.writeHead(ok ? 200 : 400, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'referrer-policy': 'no-referrer',
      connection: 'close',
    });
    settle?.(outcome);
    res.end(callbackPage(ok ? 'Signed in' : 'Sign-in failed', ok ? 'The lobby is signed in.' : (outcome as AuthError).message), () => void close());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`, result, close: async () => {
    settle?.(new AuthError('cancelled', 'The sign-in was cancelled.'));
    await close();
  } };
}

function callbackPage(title: string, message: string): string {
  const esc = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1><p>${esc(message)}</p><p>You can close this tab and return to the lobby.</p></body></html>`;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
