// The autohost's sign-in: an OAuth2 client_credentials token from the endpoint the server's RFC 8414 discovery names, cached and fetched single-flight.
import { checkEndpoint, DISCOVERY_PATH, fetchDiscoveryDocument } from '../auth/discovery';
import { AuthError } from '../auth/errors';
import { BodyTooLargeError, readJsonBody } from '../auth/json-body';
import { isLoopbackHost } from '../connection/server-url';

export { DISCOVERY_PATH };
export const LOBBY_SCOPE = 'tachyon.lobby';

export type ClientCredentialsErrorCode =
  | 'discovery_failed' // no usable metadata at the one fixed path, or its issuer is another server
  | 'insecure_server' // the secret would travel over plain http to a remote host
  | 'invalid_client' // the server does not know this client id or secret
  | 'token_request_failed' // the token endpoint refused for another reason or answered nonsense
  | 'network'; // the server could not be reached

/** Why no token could be had. Messages never hold the secret or a token. */
export class ClientCredentialsError extends Error {
  override readonly name = 'ClientCredentialsError';
  constructor(
    readonly code: ClientCredentialsErrorCode,
    message: string,
    readonly oauthError?: string,
  ) {
    super(message);
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ClientCredentialsOptions {
  /** http(s) base address of the Tachyon server; its origin must be the discovery document's issuer. */
  serverUrl: string;
  clientId: string;
  clientSecret: string;
  /** A token is renewed this long before it expires (default 60 s, shortened for very short lifetimes). */
  renewBeforeMs?: number;
  requestTimeoutMs?: number;
  fetch?: FetchLike;
  now?: () => number;
}

interface CachedToken {
  readonly accessToken: string;
  readonly renewAt: number;
}

/** Gets and caches an access token for the autohost actor; concurrent callers share one request. */
export class ClientCredentials {
  private readonly origin: string;
  private readonly fetch: FetchLike;
  private readonly now: () => number;
  private tokenEndpoint: string | null = null;
  private cached: CachedToken | null = null;
  private inFlight: Promise<string> | null = null;

  constructor(private readonly options: ClientCredentialsOptions) {
    this.origin = checkedOrigin(options.serverUrl, 'the server address');
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
  }

  /** A valid access token, from the cache while it has time left, else from the token endpoint. */
  getToken(): Promise<string> {
    if (this.cached && this.now() < this.cached.renewAt) return Promise.resolve(this.cached.accessToken);
    this.inFlight ??= this.requestToken().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Forgets the cached token (the server refused it): the next getToken asks again, discovery included. */
  invalidate(): void {
    this.cached = null;
    this.tokenEndpoint = null;
  }

  private async requestToken(): Promise<string> {
    const endpoint = this.tokenEndpoint ?? (await this.discover());
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: LOBBY_SCOPE });
    // HTTP Basic is the method every server must support (RFC 6749 §2.3.1); both parts are form-encoded first.
    const basic = Buffer.from(`${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`).toString('base64');
    const startedAt = this.now();
    const response = await this.send(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}` },
      body: body.toString(),
    });
    const json = await readJson(response);
    if (!response.ok) {
      const error = typeof json?.error === 'string' ? safeText(json.error, 40) : undefined;
      const description = typeof json?.error_description === 'string' ? `: ${safeText(json.error_description)}` : '';
      if (error === 'invalid_client' || response.status === 401) {
        throw new ClientCredentialsError('invalid_client', `The server refused the autohost's client id or secret (HTTP ${response.status}${error ? ` ${error}` : ''}${description}).`, error);
      }
      throw new ClientCredentialsError('token_request_failed', `The token endpoint refused the request (HTTP ${response.status}${error ? ` ${error}` : ''}${description}).`, error);
    }
    const accessToken = json?.access_token;
    const tokenType = json?.token_type;
    const expiresIn = json?.expires_in;
    if (typeof accessToken !== 'string' || accessToken.length === 0 || !/^[\x21-\x7e]+$/.test(accessToken)) {
      throw new ClientCredentialsError('token_request_failed', 'The token endpoint answered without a usable access_token.');
    }
    if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
      throw new ClientCredentialsError('token_request_failed', 'The token endpoint answered with a token type other than Bearer.');
    }
    // expires_in is only RECOMMENDED (RFC 6749 §5.1): without it, ask again next time rather than guess.
    const lifetimeMs = typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 0;
    const margin = Math.min(this.options.renewBeforeMs ?? 60_000, lifetimeMs / 2);
    this.cached = { accessToken, renewAt: startedAt + lifetimeMs - margin };
    return accessToken;
  }

  private async discover(): Promise<string> {
    let doc: Record<string, unknown> | null;
    let endpoint: string;
    try {
      const { body } = await fetchDiscoveryDocument(this.origin, (input, init) => this.fetch(String(input), init), this.options.requestTimeoutMs ?? 15_000);
      doc = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
      if (doc === null) throw new ClientCredentialsError('discovery_failed', 'The server\'s OAuth metadata is not a JSON object.');
      // RFC 8414 §3.3: the issuer must be the server we asked, or a look-alike could collect our secret.
      if (doc.issuer !== this.origin && doc.issuer !== `${this.origin}/`) {
        throw new ClientCredentialsError('discovery_failed', `The server's OAuth metadata names another issuer (${JSON.stringify(safeText(doc.issuer, 100))}, expected ${this.origin}).`);
      }
      const grants = doc.grant_types_supported;
      if (Array.isArray(grants) && !grants.includes('client_credentials')) {
        throw new ClientCredentialsError('discovery_failed', 'The server does not offer the client_credentials grant autohosts sign in with.');
      }
      endpoint = checkEndpoint(doc.token_endpoint, 'token_endpoint', isLoopbackHost(new URL(this.origin).hostname));
    } catch (error) {
      if (error instanceof AuthError && (error.code === 'discovery_failed' || error.code === 'insecure_server' || error.code === 'network')) {
        throw new ClientCredentialsError(error.code, error.message);
      }
      throw error;
    }
    this.tokenEndpoint = endpoint;
    return endpoint;
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 15_000) });
    } catch (error) {
      // The error text of a failed fetch names the URL at most; the secret is only in a header.
      throw new ClientCredentialsError('network', `Could not reach the server for the autohost's sign-in: ${safeText(error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error))}.`);
    }
  }
}

function checkedOrigin(address: string, what: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new ClientCredentialsError('discovery_failed', `${what} is not a valid URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ClientCredentialsError('discovery_failed', `${what} must be an http(s) URL.`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ClientCredentialsError('insecure_server', 'Refusing to send the autohost\'s secret over plain http to a remote host: use https (http is only for 127.0.0.1/localhost).');
  }
  return url.origin;
}

async function readJson(response: Response): Promise<Record<string, unknown> | null> {
  try {
    const body: unknown = await readJsonBody(response);
    return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new ClientCredentialsError('token_request_failed', `The token endpoint's answer is larger than ${error.maxBytes / 1024} KiB; refusing it.`);
    return null;
  }
}

/** Server-given text made safe for a message: printable and bounded. */
function safeText(text: unknown, max = 200): string {
  if (typeof text !== 'string') return '';
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, max);
}
