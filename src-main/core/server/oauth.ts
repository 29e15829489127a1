// The embedded server's OAuth 2.0 basics: RFC 8414 discovery, the client_credentials grant for autohosts and their tokens, and the HTTP pieces
// the player flow (player-authorization.ts) shares.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ExpiringMap } from './expiring-map';

export const LOBBY_SCOPE = 'tachyon.lobby';
export const GENERIC_LOBBY_CLIENT = 'generic_lobby';
const MAX_BODY_BYTES = 16 * 1024;
/** Live autohost tokens kept at once: an autohost asks for one an hour, and a token only matters at its upgrade. */
const MAX_SERVICE_TOKENS = 256;

export interface ServiceClient {
  readonly clientId: string;
  readonly secret: string;
}

/** Confidential clients (autohosts) that get tokens with client_credentials. */
class ServiceClientRegistry {
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

/** Autohost access tokens (client_credentials): expired ones are pruned on every issue, and the oldest go past the cap. */
class ServiceTokens {
  private readonly tokens: ExpiringMap<{ clientId: string; expiresAt: number }>;

  constructor(private readonly now: () => number) {
    this.tokens = new ExpiringMap(MAX_SERVICE_TOKENS, now);
  }

  get size(): number {
    return this.tokens.size;
  }

  issue(clientId: string, lifetimeSeconds: number): string {
    const token = `svc_${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { clientId, expiresAt: this.now() + lifetimeSeconds * 1000 });
    return token;
  }

  clientOf(token: string): string | undefined {
    return this.tokens.get(token)?.clientId;
  }
}

/** The client_credentials grant (RFC 6749 §4.4): an autohost trades its secret for a short-lived token it connects with. */
export class ServiceAuthorization {
  private readonly clients = new ServiceClientRegistry();
  private readonly tokens: ServiceTokens;

  constructor(private readonly tokenLifetimeSeconds = 3600, now: () => number = Date.now) {
    this.tokens = new ServiceTokens(now);
  }

  /** Registers an autohost; returns its secret. */
  addClient(clientId: string): ServiceClient {
    return this.clients.add(clientId);
  }

  /** Live autohost tokens held (tests check that requests cannot grow it past the cap). */
  get tokenCount(): number {
    return this.tokens.size;
  }

  /** The autohost a live token belongs to. */
  clientOf(token: string): string | undefined {
    return this.tokens.clientOf(token);
  }

  /** POST /oauth2/token with grant_type=client_credentials. */
  tokenRequest(req: IncomingMessage, form: URLSearchParams, res: ServerResponse): void {
    const credentials = clientCredentials(req, form);
    const client = credentials && this.clients.verify(credentials.clientId, credentials.secret);
    if (!client) return oauthError(res, 401, 'invalid_client', 'unknown client or wrong secret');
    const scope = form.get('scope') ?? LOBBY_SCOPE;
    if (scope !== LOBBY_SCOPE) return oauthError(res, 400, 'invalid_scope', `only ${LOBBY_SCOPE} is offered`);
    const token = this.tokens.issue(client.clientId, this.tokenLifetimeSeconds);
    sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: this.tokenLifetimeSeconds, scope: LOBBY_SCOPE });
  }
}

/**
 * RFC 8414 metadata as Teiserver serves it; without the player flow only client_credentials is offered (no authorization
 * endpoint). `token` is listed in `response_types_supported` because recoil-autohost reads it as "this server has a token
 * endpoint" and will not sign in without it; Teiserver lists `["code", "token"]` for the same reason.
 */
export function discoveryDocument(issuer: string, playerSignIn: boolean): Record<string, unknown> {
  return {
    issuer,
    ...(playerSignIn ? { authorization_endpoint: `${issuer}/oauth2/authorize` } : {}),
    token_endpoint: `${issuer}/oauth2/token`,
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    response_types_supported: playerSignIn ? ['code', 'token'] : ['token'],
    grant_types_supported: playerSignIn ? ['authorization_code', 'refresh_token', 'client_credentials'] : ['client_credentials'],
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
function clientCredentials(req: IncomingMessage, form: URLSearchParams): { clientId: string; secret: string } | null {
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

export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
