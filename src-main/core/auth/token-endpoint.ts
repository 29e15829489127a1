// Talking to the token and revocation endpoints: form POSTs (RFC 6749 §3.2: never GET with a query), answers checked field by field.
import { bearerTokenProblem } from '../connection/bearer-token';
import { AuthError, errorText, serverText } from './errors';
import type { FetchLike } from './discovery';
import { BodyTooLargeError, MAX_OAUTH_BODY_BYTES, readJsonBody } from './json-body';

export interface TokenSet {
  /** Secret; kept in memory only. */
  readonly accessToken: string;
  /** Epoch ms; null when the server gave no expires_in (then only a 401 tells us). */
  readonly expiresAt: number | null;
  /** Secret; persisted through a RefreshTokenStore. Null when the server issued none. */
  readonly refreshToken: string | null;
  readonly scope: string | null;
}

/**
 * Longest token lifetime taken as given. A server may say 30 days (or 1e300 s); refreshing after a day at the latest keeps
 * every refresh timer far inside setTimeout's range (2^31-1 ms, about 24.8 days), beyond which Node fires at once.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

// RFC 6749 Appendix A.17: refresh-token = 1*VSCHAR; it is stored and sent back, so it is capped too.
const REFRESH_TOKEN = /^[\x20-\x7e]{1,4096}$/;

const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } as const;

/** POSTs a token request; returns the checked token set or throws an AuthError carrying the OAuth `error` code. */
export async function requestTokens(fetchFn: FetchLike, tokenEndpoint: string, form: Record<string, string>, now: () => number): Promise<TokenSet> {
  let response: Response;
  try {
    response = await fetchFn(tokenEndpoint, { method: 'POST', headers: FORM, body: new URLSearchParams(form).toString(), redirect: 'error', signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new AuthError('network', `Could not reach the server's token endpoint: ${serverText(errorText(error))}.`);
  }
  let body: unknown = null;
  let tooLarge = false;
  try {
    body = await readJsonBody(response);
  } catch (error) {
    tooLarge = error instanceof BodyTooLargeError;
  }
  const doc = body !== null && typeof body === 'object' && !Array.isArray(body) ? body as Record<string, unknown> : {};
  if (!response.ok) {
    const error = typeof doc.error === 'string' ? serverText(doc.error, 60) : `http_${response.status}`;
    const description = typeof doc.error_description === 'string' ? `: ${serverText(doc.error_description)}` : '';
    if (response.status >= 500) throw new AuthError('network', `The server's token endpoint failed (HTTP ${response.status}); try again later.`, error);
    throw new AuthError('token_request_failed', `The server refused the token request (${error}${description}).`, error);
  }
  if (tooLarge) throw new AuthError('token_request_failed', `The server's token answer is larger than ${MAX_OAUTH_BODY_BYTES / 1024} KiB; refusing it.`);
  const accessToken = doc.access_token;
  if (typeof accessToken !== 'string' || accessToken.length === 0) throw new AuthError('token_request_failed', 'The server\'s token answer has no access_token.');
  // The access token becomes an Authorization header: refuse here what could not go there (CR/LF, non-ASCII, spaces).
  const problem = bearerTokenProblem(accessToken);
  if (problem) throw new AuthError('token_request_failed', `The server issued an access token this app cannot use: ${problem}.`);
  // RFC 6749 §5.1: token_type is case-insensitive; only Bearer works for our upgrade header.
  if (typeof doc.token_type !== 'string' || doc.token_type.toLowerCase() !== 'bearer') throw new AuthError('token_request_failed', 'The server issued a token that is not a Bearer token.');
  const expiresIn = doc.expires_in;
  const expiresAt = typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? now() + Math.min(expiresIn, MAX_TOKEN_LIFETIME_SECONDS) * 1000 : null;
  const refreshToken = typeof doc.refresh_token === 'string' && doc.refresh_token.length > 0 ? doc.refresh_token : null;
  if (refreshToken !== null && !REFRESH_TOKEN.test(refreshToken)) throw new AuthError('token_request_failed', 'The server issued a refresh token this app cannot keep (it must be printable ASCII, at most 4096 characters).');
  return { accessToken, expiresAt, refreshToken, scope: typeof doc.scope === 'string' ? doc.scope : null };
}

/** RFC 7009: revoke a refresh token. The server answers 200 even for tokens it no longer knows. */
export async function revokeToken(fetchFn: FetchLike, revocationEndpoint: string, token: string, clientId: string): Promise<void> {
  let response: Response;
  try {
    response = await fetchFn(revocationEndpoint, {
      method: 'POST', headers: FORM, redirect: 'error', signal: AbortSignal.timeout(15_000),
      body: new URLSearchParams({ token, token_type_hint: 'refresh_token', client_id: clientId }).toString(),
    });
  } catch (error) {
    throw new AuthError('network', `Could not reach the server to revoke the sign-in: ${serverText(errorText(error))}.`);
  }
  await response.body?.cancel();
  if (!response.ok) throw new AuthError('token_request_failed', `The server refused to revoke the sign-in (HTTP ${response.status}).`);
}
