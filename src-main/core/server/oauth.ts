// The embedded server's OAuth 2.0 side: RFC 8414 discovery, client_credentials for autohosts, and the player flow (authorize + consent, code + PKCE, refresh rotation, RFC 7009 revocation).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Account, AccountRegistry } from './accounts';

export const LOBBY_SCOPE = 'tachyon.lobby';
export const GENERIC_LOBBY_CLIENT = 'generic_lobby';
const MAX_BODY_BYTES = 16 * 1024;
const PENDING_CONSENT_MS = 10 * 60_000;

export interface ServiceClient {
  readonly clientId: string;
  readonly secret: string;
}

/** Confidential clients (autohosts) that get tokens with client_credentials. */
export class ServiceClientRegistry {
  private readonly clients = new Map<string, ServiceClient>();

  add(clientId: string): ServiceClient {
    const client = { clientId, secret: randomBytes(24).toString('base64url') };
    this.clients.set(clientId, client);
    return client;
  }

  verify(clientId: string, secret: string): ServiceClient | undefined {
    const client = this.clients.get(clientId);
    if (!client) return undefined;
    const a = Buffer.from(client.secret);
    const b = Buffer.from(secret);
    return a.length === b.length && timingSafeEqual(a, b) ? client : undefined;
  }
}

export function discoveryDocument(issuer: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    token_endpoint: `${issuer}/oauth2/token`,
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    // `none`: the lobby is a public client (RFC 8252 §8.4); the secrets are for autohosts.
    token_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
    revocation_endpoint_auth_methods_supported: ['none'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: [LOBBY_SCOPE],
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

export function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  sendJson(res, status, { error, error_description: description });
}

/** Reads an application/x-www-form-urlencoded body, bounded. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Client credentials from HTTP Basic (RFC 6749 §2.3.1) or the form body. */
export function clientCredentials(req: IncomingMessage, form: URLSearchParams): { clientId: string; secret: string } | null {
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    return { clientId: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  const clientId = form.get('client_id');
  const secret = form.get('client_secret');
  return clientId && secret ? { clientId, secret } : null;
}

export interface PlayerAuthorizationOptions {
  /** Public clients allowed to sign players in (no secret, PKCE required). */
  clients?: readonly string[];
  accessTokenLifetimeSeconds?: number;
  /** RFC 6749 §4.1.2 recommends at most 10 minutes; ours is 60 s, enough for a loopback redirect. */
  codeLifetimeSeconds?: number;
  refreshTokenLifetimeSeconds?: number;
  now?: () => number;
}

interface AuthorizeRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string | null;
  readonly challenge: string;
  readonly scope: string;
  readonly expiresAt: number;
}

interface IssuedCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly scope: string;
  readonly userId: string;
  readonly expiresAt: number;
}

interface RefreshGrant {
  readonly userId: string;
  readonly clientId: string;
  readonly scope: string;
  readonly grantId: string;
  readonly expiresAt: number;
}

/** The player flow of a native app (RFC 8252): a local consent page instead of a password, codes bound to PKCE, rotating refresh tokens. */
export class PlayerAuthorization {
  private readonly clients: ReadonlySet<string>;
  private readonly pending = new Map<string, AuthorizeRequest>();
  private readonly codes = new Map<string, IssuedCode>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  /** Rotated-out refresh tokens → their grant: a replay means the token leaked, so the whole grant ends (RFC 9700 §4.14.2). */
  private readonly spentRefreshTokens = new Map<string, { grantId: string; expiresAt: number }>();
  private readonly now: () => number;

  constructor(private readonly accounts: AccountRegistry, private readonly options: PlayerAuthorizationOptions = {}) {
    this.clients = new Set(options.clients ?? [GENERIC_LOBBY_CLIENT]);
    this.now = options.now ?? Date.now;
  }

  get accessTokenLifetimeSeconds(): number {
    return this.options.accessTokenLifetimeSeconds ?? 3600;
  }

  /** GET /oauth2/authorize: checks the request, then shows who may sign in. */
  authorizePage(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    // RFC 6749 §4.1.2.1: with a bad client or redirect URI, never redirect: tell the person in the page.
    if (!this.clients.has(clientId)) return page(res, 400, 'Unknown application', '<p>This sign-in request names an application this server does not know.</p>');
    if (!isLoopbackRedirect(redirectUri)) {
      return page(res, 400, 'Invalid redirect address', '<p>This sign-in request asks to return to an address that is not a loopback address (http://127.0.0.1:&lt;port&gt;/…).</p>');
    }
    const state = q.get('state');
    const fail = (error: string, description: string) => redirect(res, withParams(redirectUri, { error, error_description: description, state }));
    if (state !== null && state.length > 512) return fail('invalid_request', 'state is too long');
    if (q.get('response_type') !== 'code') return fail('unsupported_response_type', 'only response_type=code is offered');
    const scopes = (q.get('scope') ?? '').split(' ').filter(Boolean);
    if (scopes.length === 0 || scopes.some((s) => s !== LOBBY_SCOPE)) return fail('invalid_scope', `request scope=${LOBBY_SCOPE}`);
    if (q.get('code_challenge_method') !== 'S256') return fail('invalid_request', 'PKCE with code_challenge_method=S256 is required');
    const challenge = q.get('code_challenge') ?? '';
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return fail('invalid_request', 'code_challenge must be a base64url SHA-256 digest');

    this.prune();
    // The form carries only this id: a page elsewhere cannot forge a consent without having read this one.
    const requestId = randomBytes(16).toString('base64url');
    this.pending.set(requestId, { clientId, redirectUri, state, challenge, scope: LOBBY_SCOPE, expiresAt: this.now() + PENDING_CONSENT_MS });
    const players = this.accounts.all();
    const choices = players.length === 0
      ? '<p>No players exist on this server yet.</p>'
      : `<fieldset><legend>Sign in as</legend>${players.map((p, i) => `<label><input type="radio" name="player" value="${escapeHtml(p.userId)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(p.displayName)} (${escapeHtml(p.username)})</label><br>`).join('')}</fieldset>`;
    const allow = players.length === 0 ? '' : '<button type="submit" name="decision" value="allow" id="allow">Allow</button> ';
    page(res, 200, 'Sign in to this Tachyon server', `<p><strong>${escapeHtml(clientId)}</strong> asks to play on this server for you (scope <code>${LOBBY_SCOPE}</code>).</p>
<form method="post" action="/oauth2/authorize">
<input type="hidden" name="request" value="${requestId}">
${choices}
<p>${allow}<button type="submit" name="decision" value="deny" id="deny">Deny</button></p>
</form>`);
  }

  /** POST /oauth2/authorize: the consent form's answer. */
  async decide(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    if (!form) return page(res, 400, 'Bad request', '<p>The consent form did not arrive.</p>');
    const requestId = form.get('request') ?? '';
    const request = this.pending.get(requestId);
    this.pending.delete(requestId);
    if (!request || request.expiresAt <= this.now()) return page(res, 400, 'This page expired', '<p>Start the sign-in again from the lobby.</p>');
    if (form.get('decision') !== 'allow') {
      return redirect(res, withParams(request.redirectUri, { error: 'access_denied', error_description: 'the player declined', state: request.state }));
    }
    const account = this.accounts.get(form.get('player') ?? '');
    if (!account) return page(res, 400, 'Unknown player', '<p>Choose one of the listed players.</p>');
    const code = randomBytes(32).toString('base64url');
    this.codes.set(code, {
      clientId: request.clientId, redirectUri: request.redirectUri, challenge: request.challenge, scope: request.scope,
      userId: account.userId, expiresAt: this.now() + (this.options.codeLifetimeSeconds ?? 60) * 1000,
    });
    redirect(res, withParams(request.redirectUri, { code, state: request.state }));
  }

  /** True when this token endpoint request is ours (the player grants); client_credentials stays with the server. */
  handlesGrant(grant: string | null): boolean {
    return grant === 'authorization_code' || grant === 'refresh_token';
  }

  tokenRequest(form: URLSearchParams, res: ServerResponse): void {
    const clientId = form.get('client_id') ?? '';
    if (!this.clients.has(clientId)) return oauthError(res, 401, 'invalid_client', 'unknown client_id');
    if (form.get('grant_type') === 'authorization_code') return this.exchangeCode(form, clientId, res);
    return this.refresh(form, clientId, res);
  }

  /** POST /oauth2/revoke (RFC 7009): always 200 for tokens it does not know, so it reveals nothing. */
  revoke(form: URLSearchParams, res: ServerResponse): void {
    const token = form.get('token');
    if (!token) return oauthError(res, 400, 'invalid_request', 'token is required');
    const clientId = form.get('client_id') ?? '';
    if (!this.clients.has(clientId)) return oauthError(res, 401, 'invalid_client', 'unknown client_id');
    const grant = this.refreshTokens.get(token);
    if (grant) {
      if (grant.clientId !== clientId) return oauthError(res, 400, 'invalid_request', 'this token was issued to another client');
      this.endGrant(grant.grantId);
    } else {
      // An access token (the hint is only a hint, RFC 7009 §2.1).
      this.accounts.revokeToken(token);
    }
    res.writeHead(200, { 'cache-control': 'no-store', 'content-length': '0' });
    res.end();
  }

  private exchangeCode(form: URLSearchParams, clientId: string, res: ServerResponse): void {
    const code = form.get('code') ?? '';
    const verifier = form.get('code_verifier');
    if (!verifier) return oauthError(res, 400, 'invalid_request', 'code_verifier is required (PKCE)');
    const issued = this.codes.get(code);
    // Single use: the first attempt consumes the code whatever its outcome.
    this.codes.delete(code);
    if (!issued || issued.expiresAt <= this.now()) return oauthError(res, 400, 'invalid_grant', 'the authorization code is unknown, used or expired');
    if (issued.clientId !== clientId) return oauthError(res, 400, 'invalid_grant', 'the code was issued to another client');
    if (form.get('redirect_uri') !== issued.redirectUri) return oauthError(res, 400, 'invalid_grant', 'redirect_uri differs from the authorization request');
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || !sameText(s256(verifier), issued.challenge)) {
      return oauthError(res, 400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    }
    const account = this.accounts.get(issued.userId);
    if (!account) return oauthError(res, 400, 'invalid_grant', 'the player no longer exists');
    this.issue(res, account, clientId, issued.scope, randomBytes(16).toString('base64url'));
  }

  private refresh(form: URLSearchParams, clientId: string, res: ServerResponse): void {
    const token = form.get('refresh_token') ?? '';
    const scope = form.get('scope');
    if (scope !== null && scope !== LOBBY_SCOPE) return oauthError(res, 400, 'invalid_scope', `only ${LOBBY_SCOPE} is offered`);
    const spent = this.spentRefreshTokens.get(token);
    if (spent) {
      this.spentRefreshTokens.delete(token);
      this.endGrant(spent.grantId);
      return oauthError(res, 400, 'invalid_grant', 'this refresh token was already used; sign in again');
    }
    const grant = this.refreshTokens.get(token);
    if (!grant || grant.expiresAt <= this.now() || grant.clientId !== clientId) {
      return oauthError(res, 400, 'invalid_grant', 'the refresh token is unknown, revoked or expired');
    }
    const account = this.accounts.get(grant.userId);
    if (!account) return oauthError(res, 400, 'invalid_grant', 'the player no longer exists');
    this.refreshTokens.delete(token);
    this.spentRefreshTokens.set(token, { grantId: grant.grantId, expiresAt: grant.expiresAt });
    this.issue(res, account, clientId, grant.scope, grant.grantId);
  }

  private issue(res: ServerResponse, account: Account, clientId: string, scope: string, grantId: string): void {
    this.prune();
    const lifetime = this.accessTokenLifetimeSeconds;
    const accessToken = this.accounts.issueToken(account.userId, { lifetimeSeconds: lifetime, grantId });
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
    this.refreshTokens.set(refreshToken, {
      userId: account.userId, clientId, scope, grantId,
      expiresAt: this.now() + (this.options.refreshTokenLifetimeSeconds ?? 30 * 86_400) * 1000,
    });
    sendJson(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime, refresh_token: refreshToken, scope });
  }

  private endGrant(grantId: string): void {
    for (const [token, grant] of this.refreshTokens) if (grant.grantId === grantId) this.refreshTokens.delete(token);
    this.accounts.revokeGrant(grantId);
  }

  private prune(): void {
    const now = this.now();
    for (const map of [this.pending, this.codes, this.refreshTokens, this.spentRefreshTokens] as Map<string, { expiresAt: number }>[]) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
    }
  }
}

/** RFC 8252 §7.3: loopback IP redirects with any port; our consent flow accepts only http://127.0.0.1:<port>/… */
export function isLoopbackRedirect(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && url.hostname === '127.0.0.1' && url.port !== '' && !url.username && !url.password && !url.hash && !value.includes('#');
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function withParams(base: string, params: Record<string, string | null>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) if (value !== null) url.searchParams.set(key, value);
  return url.toString();
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'content-length': '0' });
  res.end();
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // No scripts at all; not framable (clickjacking the Allow button).
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
}
