// The player sign-in flow (RFC 8252 native app): a consent page unlocked by a one-time code from the server's console, codes bound to PKCE,
// rotating refresh tokens, RFC 7009 revocation.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, randomInt } from 'node:crypto';
import type { Account, AccountRegistry } from './accounts';
import { ExpiringMap } from './expiring-map';
import { GENERIC_LOBBY_CLIENT, isLoopbackRedirect, LOBBY_SCOPE, oauthError, readForm, s256, sameText, sendJson } from './oauth';
import { consentPage, page, redirect, withParams } from './consent-page';

/** One consent request, as the server's operator sees it on the console. */
export interface ConsentPrompt {
  /** Also shown on the consent page, so the person types the code printed for that very page. */
  readonly label: string;
  /** What the person types on the consent page: the proof that they can read the server's console. */
  readonly code: string;
  readonly clientId: string;
  readonly redirectUri: string;
}

export interface PlayerAuthorizationOptions {
  /** Public clients allowed to sign players in (no secret, PKCE required). */
  clients?: readonly string[];
  /**
   * Shows each consent request's one-time code where only the server's operator can read it (the standalone server's
   * stderr). Without it the flow is off: nothing else proves that the person at the page runs this server, and any
   * local process or other OS user could mint a token for any player.
   */
  showConsentCode?: (prompt: ConsentPrompt) => void;
  accessTokenLifetimeSeconds?: number;
  /** RFC 6749 §4.1.2 recommends at most 10 minutes; ours is 60 s, enough for a loopback redirect. */
  codeLifetimeSeconds?: number;
  refreshTokenLifetimeSeconds?: number;
  now?: () => number;
}

const PENDING_CONSENT_MS = 10 * 60_000;
// Caps on what a request from outside can make the server keep; past a cap the oldest entry goes.
/** Open consent pages: a flood of GETs evicts older pages (their Allow then says "expired"), it never grows memory. */
const MAX_PENDING = 64;
const MAX_CODES = 64;
const MAX_REFRESH_TOKENS = 1024;
/** Forgetting a spent token only loses replay detection for it: a replay then finds no grant and gets nothing. */
const MAX_SPENT_REFRESH_TOKENS = 4096;
/** Signed-in devices per player; a new sign-in past this ends the player's oldest grant. */
const MAX_GRANTS_PER_PLAYER = 8;
const MAX_REDIRECT_URI = 512;
const MAX_STATE = 512;
const MAX_CODE_ATTEMPTS = 3;
/** No 0/O or 1/I/L: the person reads the code off a console. 8 of 31 symbols is about 40 bits, against 3 tries a page. */
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const CONSENT_COOKIE = 'tachyon_consent_';

interface AuthorizeRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string | null;
  readonly challenge: string;
  readonly scope: string;
  readonly expiresAt: number;
  readonly label: string;
  readonly consentCode: string;
  /** Bound to this request, sent back in the form and in a SameSite=Strict cookie (double submit). */
  readonly csrf: string;
  wrongCodes: number;
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

export class PlayerAuthorization {
  private readonly clients: ReadonlySet<string>;
  private readonly pending: ExpiringMap<AuthorizeRequest>;
  private readonly codes: ExpiringMap<IssuedCode>;
  private readonly refreshTokens: ExpiringMap<RefreshGrant>;
  /** Rotated-out refresh tokens → their grant: a replay means the token leaked, so the whole grant ends (RFC 9700 §4.14.2). */
  private readonly spentRefreshTokens: ExpiringMap<{ grantId: string; expiresAt: number }>;
  private readonly now: () => number;

  constructor(private readonly accounts: AccountRegistry, private readonly options: PlayerAuthorizationOptions = {}) {
    this.clients = new Set(options.showConsentCode ? options.clients ?? [GENERIC_LOBBY_CLIENT] : []);
    this.now = options.now ?? Date.now;
    this.pending = new ExpiringMap(MAX_PENDING, this.now);
    this.codes = new ExpiringMap(MAX_CODES, this.now);
    this.refreshTokens = new ExpiringMap(MAX_REFRESH_TOKENS, this.now);
    this.spentRefreshTokens = new ExpiringMap(MAX_SPENT_REFRESH_TOKENS, this.now);
  }

  /** False when no console shows consent codes: then there is no browser sign-in on this server. */
  get enabled(): boolean {
    return this.clients.size > 0;
  }

  get accessTokenLifetimeSeconds(): number {
    return this.options.accessTokenLifetimeSeconds ?? 3600;
  }

  /** How much state the flow holds (tests check that outside requests cannot grow it). */
  get sizes(): { pending: number; codes: number; refreshTokens: number; spentRefreshTokens: number } {
    return { pending: this.pending.size, codes: this.codes.size, refreshTokens: this.refreshTokens.size, spentRefreshTokens: this.spentRefreshTokens.size };
  }

  /** GET /oauth2/authorize: checks the request, prints its code on the console, then shows who may sign in. */
  authorizePage(url: URL, res: ServerResponse): void {
    if (!this.enabled) return page(res, 404, 'No browser sign-in here', '<p>This server signs its players in itself.</p>');
    const q = url.searchParams;
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    // RFC 6749 §4.1.2.1: with a bad client or redirect URI, never redirect: tell the person in the page.
    if (!this.clients.has(clientId)) return page(res, 400, 'Unknown application', '<p>This sign-in request names an application this server does not know.</p>');
    if (redirectUri.length > MAX_REDIRECT_URI || !isLoopbackRedirect(redirectUri)) {
      return page(res, 400, 'Invalid redirect address', `<p>This sign-in request asks to return to an address that is not a loopback address (http://127.0.0.1:&lt;port&gt;/…, at most ${MAX_REDIRECT_URI} characters).</p>`);
    }
    const state = q.get('state');
    const fail = (error: string, description: string) => redirect(res, withParams(redirectUri, { error, error_description: description, state }));
    if (state !== null && state.length > MAX_STATE) return fail('invalid_request', 'state is too long');
    if (q.get('response_type') !== 'code') return fail('unsupported_response_type', 'only response_type=code is offered');
    const scopes = (q.get('scope') ?? '').split(' ').filter(Boolean);
    if (scopes.length === 0 || scopes.some((s) => s !== LOBBY_SCOPE)) return fail('invalid_scope', `request scope=${LOBBY_SCOPE}`);
    if (q.get('code_challenge_method') !== 'S256') return fail('invalid_request', 'PKCE with code_challenge_method=S256 is required');
    const challenge = q.get('code_challenge') ?? '';
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return fail('invalid_request', 'code_challenge must be a base64url SHA-256 digest');

    const requestId = randomBytes(16).toString('base64url');
    const request: AuthorizeRequest = {
      clientId, redirectUri, state, challenge, scope: LOBBY_SCOPE, expiresAt: this.now() + PENDING_CONSENT_MS,
      label: readableCode(6), consentCode: readableCode(8), csrf: randomBytes(24).toString('base64url'), wrongCodes: 0,
    };
    this.pending.set(requestId, request);
    this.options.showConsentCode?.({ label: request.label, code: formatCode(request.consentCode), clientId, redirectUri });
    const cookie = `${CONSENT_COOKIE}${requestId}=${request.csrf}; Max-Age=${PENDING_CONSENT_MS / 1000}; Path=/oauth2/authorize; HttpOnly; SameSite=Strict`;
    this.showConsent(res, 200, requestId, request, undefined, { 'set-cookie': cookie });
  }

  /**
   * POST /oauth2/authorize: the consent form's answer. Allowed only from a page of this server (`origins`), with the
   * request's CSRF token in the form and its cookie, and with the code the console showed for it.
   */
  async decide(req: IncomingMessage, res: ServerResponse, origins: ReadonlySet<string>): Promise<void> {
    if (!this.enabled) return page(res, 404, 'No browser sign-in here', '<p>This server signs its players in itself.</p>');
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    if ((origin !== undefined && !origins.has(origin.toLowerCase())) || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
      return page(res, 403, 'Refused', '<p>This consent was sent from a page of another site.</p>');
    }
    const form = await readForm(req);
    if (!form) return page(res, 400, 'Bad request', '<p>The consent form did not arrive.</p>');
    const requestId = form.get('request') ?? '';
    const request = this.pending.get(requestId);
    if (!request) return page(res, 400, 'This page expired', '<p>Start the sign-in again from the lobby.</p>');
    const cookie = cookieValue(req.headers.cookie, `${CONSENT_COOKIE}${requestId}`) ?? '';
    if (!sameText(form.get('csrf') ?? '', request.csrf) || !sameText(cookie, request.csrf)) {
      this.pending.delete(requestId);
      return page(res, 403, 'Refused', '<p>This consent form is not the one this server gave your browser. Start the sign-in again from the lobby.</p>');
    }
    if (form.get('decision') !== 'allow') {
      this.pending.delete(requestId);
      return redirect(res, withParams(request.redirectUri, { error: 'access_denied', error_description: 'the player declined', state: request.state }));
    }
    if (!sameText(normalizeCode(form.get('code') ?? ''), request.consentCode)) {
      request.wrongCodes++;
      if (request.wrongCodes >= MAX_CODE_ATTEMPTS) {
        this.pending.delete(requestId);
        return page(res, 400, 'Too many wrong codes', '<p>Start the sign-in again from the lobby.</p>');
      }
      const left = MAX_CODE_ATTEMPTS - request.wrongCodes;
      return this.showConsent(res, 400, requestId, request, `That is not the code for request ${request.label}; ${left} ${left === 1 ? 'try' : 'tries'} left.`);
    }
    const account = this.accounts.get(form.get('player') ?? '');
    if (!account) return this.showConsent(res, 400, requestId, request, 'Choose one of the listed players.');
    this.pending.delete(requestId);
    const code = randomBytes(32).toString('base64url');
    this.codes.set(code, {
      clientId: request.clientId, redirectUri: request.redirectUri, challenge: request.challenge, scope: request.scope,
      userId: account.userId, expiresAt: this.now() + (this.options.codeLifetimeSeconds ?? 60) * 1000,
    });
    redirect(res, withParams(request.redirectUri, { code, state: request.state }));
  }

  /** True when this token endpoint request is ours (the player grants); client_credentials is `ServiceAuthorization`'s (oauth.ts). */
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

  private showConsent(
    res: ServerResponse, status: number, requestId: string, request: AuthorizeRequest, problem?: string, headers?: Record<string, string>,
  ): void {
    const page = { clientId: request.clientId, redirectUri: request.redirectUri, requestId, csrf: request.csrf, label: request.label, players: this.accounts.all(), problem };
    consentPage(res, status, page, headers);
  }

  private exchangeCode(form: URLSearchParams, clientId: string, res: ServerResponse): void {
    const code = form.get('code') ?? '';
    const verifier = form.get('code_verifier');
    if (!verifier) return oauthError(res, 400, 'invalid_request', 'code_verifier is required (PKCE)');
    // Single use: the first attempt consumes the code whatever its outcome.
    const issued = this.codes.take(code);
    if (!issued) return oauthError(res, 400, 'invalid_grant', 'the authorization code is unknown, used or expired');
    if (issued.clientId !== clientId) return oauthError(res, 400, 'invalid_grant', 'the code was issued to another client');
    if (form.get('redirect_uri') !== issued.redirectUri) return oauthError(res, 400, 'invalid_grant', 'redirect_uri differs from the authorization request');
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || !sameText(s256(verifier), issued.challenge)) {
      return oauthError(res, 400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    }
    const account = this.accounts.get(issued.userId);
    if (!account) return oauthError(res, 400, 'invalid_grant', 'the player no longer exists');
    this.endOldestGrantsOf(account.userId, MAX_GRANTS_PER_PLAYER - 1);
    this.issue(res, account, clientId, issued.scope, randomBytes(16).toString('base64url'));
  }

  private refresh(form: URLSearchParams, clientId: string, res: ServerResponse): void {
    const token = form.get('refresh_token') ?? '';
    const scope = form.get('scope');
    if (scope !== null && scope !== LOBBY_SCOPE) return oauthError(res, 400, 'invalid_scope', `only ${LOBBY_SCOPE} is offered`);
    const spent = this.spentRefreshTokens.take(token);
    if (spent) {
      this.endGrant(spent.grantId);
      return oauthError(res, 400, 'invalid_grant', 'this refresh token was already used; sign in again');
    }
    const grant = this.refreshTokens.get(token);
    if (!grant || grant.clientId !== clientId) return oauthError(res, 400, 'invalid_grant', 'the refresh token is unknown, revoked or expired');
    const account = this.accounts.get(grant.userId);
    if (!account) return oauthError(res, 400, 'invalid_grant', 'the player no longer exists');
    this.refreshTokens.delete(token);
    this.spentRefreshTokens.set(token, { grantId: grant.grantId, expiresAt: grant.expiresAt });
    this.issue(res, account, clientId, grant.scope, grant.grantId);
  }

  private issue(res: ServerResponse, account: Account, clientId: string, scope: string, grantId: string): void {
    const lifetime = this.accessTokenLifetimeSeconds;
    const accessToken = this.accounts.issueToken(account.userId, { lifetimeSeconds: lifetime, grantId });
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
    this.refreshTokens.set(refreshToken, {
      userId: account.userId, clientId, scope, grantId,
      expiresAt: this.now() + (this.options.refreshTokenLifetimeSeconds ?? 30 * 86_400) * 1000,
    });
    sendJson(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime, refresh_token: refreshToken, scope });
  }

  /** Keeps at most `keep` grants of a player: the oldest sign-ins end first. */
  private endOldestGrantsOf(userId: string, keep: number): void {
    const grants = [...this.refreshTokens].filter(([, g]) => g.userId === userId).map(([, g]) => g.grantId);
    for (const grantId of grants.slice(0, Math.max(0, grants.length - keep))) this.endGrant(grantId);
  }

  private endGrant(grantId: string): void {
    for (const [token, grant] of this.refreshTokens) if (grant.grantId === grantId) this.refreshTokens.delete(token);
    this.accounts.revokeGrant(grantId);
  }
}

function readableCode(length: number): string {
  return Array.from({ length }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

/** As printed: two groups of four. */
function formatCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** As typed: any case, with or without the dash and spaces. */
function normalizeCode(typed: string): string {
  return typed.slice(0, 32).replace(/[\s-]/g, '').toUpperCase();
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
