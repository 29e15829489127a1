// RFC 8414 discovery at the one fixed path, with its checks (issuer, endpoints over https, S256 per RFC 7636) and a cache that follows Cache-Control.
import { isLoopbackHost } from '../connection/server-url';
import { AuthError, errorText, serverText } from './errors';
import { BodyTooLargeError, MAX_OAUTH_BODY_BYTES, readJsonBody } from './json-body';

export const DISCOVERY_PATH = '/.well-known/oauth-authorization-server';

export interface AuthServerMetadata {
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  /** RFC 7009; absent when the server offers no revocation (sign-out then only forgets locally). */
  readonly revocationEndpoint: string | null;
  readonly scopesSupported: readonly string[] | null;
}

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** The server's origin, the only thing discovery and the issuer check are keyed by. */
export function serverOrigin(serverUrl: string): string {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new AuthError('discovery_failed', 'The server address is not a valid URL (expected e.g. https://server.example).');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AuthError('discovery_failed', 'The server address must start with https://.');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new AuthError('insecure_server', 'Refusing to sign in over plain http to a remote server: use https:// (plain http is only for 127.0.0.1/localhost).');
  }
  return url.origin;
}

/** Parses and checks a discovery document against the server it came from. */
export function checkMetadata(origin: string, body: unknown): AuthServerMetadata {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new AuthError('discovery_failed', 'The server\'s sign-in metadata is not a JSON object.');
  const doc = body as Record<string, unknown>;
  const fail = (why: string) => new AuthError('discovery_failed', `This server's sign-in metadata is unusable: ${why}.`);
  // RFC 8414 §3.3: the issuer must be the one we asked, or a look-alike server could hand out its endpoints.
  if (doc.issuer !== origin && doc.issuer !== `${origin}/`) throw fail(`its issuer ${JSON.stringify(serverText(doc.issuer, 100))} is not ${origin}`);
  if (!stringArray(doc.response_types_supported)?.includes('code')) throw fail('it does not offer the authorization code flow (response type "code")');
  const methods = doc.code_challenge_methods_supported;
  if (methods !== undefined && !stringArray(methods)?.includes('S256')) throw fail('it does not offer PKCE with S256, which this app requires');
  const issuerIsLocal = isLoopbackHost(new URL(origin).hostname);
  const authorizationEndpoint = checkEndpoint(doc.authorization_endpoint, 'authorization_endpoint', issuerIsLocal);
  const tokenEndpoint = checkEndpoint(doc.token_endpoint, 'token_endpoint', issuerIsLocal);
  const revocationEndpoint = doc.revocation_endpoint === undefined ? null : checkEndpoint(doc.revocation_endpoint, 'revocation_endpoint', issuerIsLocal);
  return { issuer: origin, authorizationEndpoint, tokenEndpoint, revocationEndpoint, scopesSupported: stringArray(doc.scopes_supported) };
}

export interface DiscoveryOptions {
  fetch?: FetchLike;
  now?: () => number;
}

/** Fetches discovery documents and keeps each as long as its Cache-Control allows. */
export class DiscoveryCache {
  private readonly entries = new Map<string, { metadata: AuthServerMetadata; until: number }>();
  private readonly fetch: FetchLike;
  private readonly now: () => number;

  constructor(options: DiscoveryOptions = {}) {
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
  }

  async get(serverUrl: string): Promise<AuthServerMetadata> {
    const origin = serverOrigin(serverUrl);
    const cached = this.entries.get(origin);
    if (cached && cached.until > this.now()) return cached.metadata;
    this.entries.delete(origin);
    const { body, response } = await fetchDiscoveryDocument(origin, this.fetch);
    const metadata = checkMetadata(origin, body);
    const maxAge = cacheLifetimeMs(response.headers.get('cache-control'));
    if (maxAge > 0) this.entries.set(origin, { metadata, until: this.now() + maxAge });
    return metadata;
  }
}

/** GETs the discovery document of `origin` (its origin only, no redirects, at most 64 KiB) and parses its JSON; checks nothing inside it. */
export async function fetchDiscoveryDocument(origin: string, fetchLike: FetchLike, timeoutMs = 15_000): Promise<{ body: unknown; response: Response }> {
  let response: Response;
  try {
    response = await fetchLike(`${origin}${DISCOVERY_PATH}`, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new AuthError('network', `Could not reach the server for sign-in: ${serverText(errorText(error))}.`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new AuthError('discovery_failed', `This server does not publish sign-in metadata (HTTP ${response.status} for ${DISCOVERY_PATH}).`);
  }
  try {
    return { body: await readJsonBody(response), response };
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new AuthError('discovery_failed', `The server's sign-in metadata is larger than ${MAX_OAUTH_BODY_BYTES / 1024} KiB; refusing it.`);
    throw new AuthError('discovery_failed', 'The server\'s sign-in metadata is not valid JSON.');
  }
}

/** max-age in ms, or 0 for no-store / no-cache / no header (RFC 9111 §5.2.2). */
export function cacheLifetimeMs(header: string | null): number {
  if (!header) return 0;
  const directives = header.toLowerCase().split(',').map((d) => d.trim());
  if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return 0;
  for (const d of directives) {
    const m = /^(?:s-)?max-age=(\d{1,9})$/.exec(d);
    if (m && d.startsWith('max-age')) return Number(m[1]) * 1000;
  }
  return 0;
}

function stringArray(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null;
}

/** An endpoint the metadata names, checked: https, or plain http to this machine when the issuer is itself here; no credentials in it. */
export function checkEndpoint(value: unknown, name: string, issuerIsLocal: boolean): string {
  if (typeof value !== 'string') throw new AuthError('discovery_failed', `This server's sign-in metadata has no ${name}.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AuthError('discovery_failed', `This server's ${name} is not a valid URL.`);
  }
  if (url.username || url.password) throw new AuthError('insecure_server', `This server's ${name} carries a user name or password in its address; refusing it.`);
  // Codes, verifiers and tokens travel to these: never in clear beyond this machine. Plain http to this machine only for a
  // server that is itself here: a remote server naming http://127.0.0.1:<port>/… would have the app post to, and open the
  // browser on, whatever local service listens there.
  if (url.protocol === 'https:' || (url.protocol === 'http:' && issuerIsLocal && isLoopbackHost(url.hostname))) return url.toString();
  throw new AuthError('insecure_server', `This server's ${name} is not an https:// address; refusing to send sign-in secrets to it.`);
}
