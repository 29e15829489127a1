// The embedded server's OAuth 2.0 side: RFC 8414 discovery and a token endpoint (client_credentials for autohosts; issue 7 adds the player flow).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const LOBBY_SCOPE = 'tachyon.lobby';
const MAX_BODY_BYTES = 16 * 1024;

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
    token_endpoint: `${issuer}/oauth2/token`,
    response_types_supported: ['code'],
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
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
