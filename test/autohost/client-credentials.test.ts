// The autohost's client_credentials sign-in against the embedded server's real discovery and token endpoints, and against servers that get it wrong.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientCredentials, ClientCredentialsError, LocalAutohost } from '../../src-main/core/autohost';
import { EngineRegistry } from '../../src-main/core/engine';
import { createMemoryLogger } from '../../src-main/core/log';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { waitFor } from './support';
import { controlsOf } from '../support/server-controls';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function embeddedServer(options: ConstructorParameters<typeof TachyonServer>[0] = {}): Promise<TachyonServer> {
  const server = new TachyonServer(options);
  await server.listen(0);
  cleanups.push(() => server.close());
  return server;
}

/** Counts the HTTP requests the credentials make, to see caching and single-flight. */
function countingFetch(): { fetch: (input: string, init?: RequestInit) => Promise<Response>; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: (input, init) => {
      calls.push(`${init?.method ?? 'GET'} ${new URL(input).pathname}`);
      return fetch(input, init);
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<ClientCredentialsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ClientCredentialsError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('ClientCredentials', () => {
  it('discovers the token endpoint, gets a token the server accepts, caches it and asks once for concurrent callers', async () => {
    const server = await embeddedServer();
    const { clientId, secret } = server.addAutohostClient('ah-1');
    const counted = countingFetch();
    const credentials = new ClientCredentials({ serverUrl: server.baseUrl, clientId, clientSecret: secret, fetch: counted.fetch });
    const [a, b, c] = await Promise.all([credentials.getToken(), credentials.getToken(), credentials.getToken()]);
    expect(a).toMatch(/^svc_/);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(await credentials.getToken()).toBe(a);
    expect(counted.calls).toEqual(['GET /.well-known/oauth-authorization-server', 'POST /oauth2/token']);
    // The token opens an autohost session on the server.
    const autohost = new LocalAutohost({ serverUrl: server.baseUrl, getToken: () => credentials.getToken(), registry: await emptyRegistry(), contentDirs: [] });
    cleanups.push(() => autohost.close());
    await autohost.start();
    await waitFor(() => server.autohosts.statusOf('ah-1') !== null, 5_000, 'the autohost session');
  });

  it('renews the token shortly before it expires', async () => {
    const server = await embeddedServer({ tokenLifetimeSeconds: 120 });
    const { clientId, secret } = server.addAutohostClient('ah-2');
    let now = 1_000_000;
    const counted = countingFetch();
    const credentials = new ClientCredentials({ serverUrl: server.baseUrl, clientId, clientSecret: secret, fetch: counted.fetch, now: () => now });
    const first = await credentials.getToken();
    now += 59_000; // 61 s left: still good
    expect(await credentials.getToken()).toBe(first);
    now += 2_000; // 59 s left: inside the 60 s margin
    const second = await credentials.getToken();
    expect(second).not.toBe(first);
    expect(counted.calls.filter((c) => c.startsWith('POST'))).toHaveLength(2);
    // Discovery is remembered between tokens.
    expect(counted.calls.filter((c) => c.startsWith('GET'))).toHaveLength(1);
  });

  it('a wrong secret is a clear invalid_client error that never contains the secret', async () => {
    const server = await embeddedServer();
    const { clientId, secret } = server.addAutohostClient('ah-3');
    const wrong = `${secret.slice(0, -4)}XXXX`;
    const error = await failure(new ClientCredentials({ serverUrl: server.baseUrl, clientId, clientSecret: wrong }).getToken());
    expect(error.code).toBe('invalid_client');
    expect(error.message).toBe("The server refused the autohost's client id or secret (HTTP 401 invalid_client: unknown client or wrong secret).");
    expect(error.message).not.toContain(wrong);
    const unknown = await failure(new ClientCredentials({ serverUrl: server.baseUrl, clientId: 'nobody', clientSecret: secret }).getToken());
    expect(unknown.code).toBe('invalid_client');
  });

  it('a LocalAutohost with a wrong secret keeps retrying and says why in its connection status', async () => {
    const server = await embeddedServer();
    server.addAutohostClient('ah-4');
    const logger = createMemoryLogger('debug');
    const autohost = new LocalAutohost({ serverUrl: server.baseUrl, clientId: 'ah-4', clientSecret: 'not-the-secret-1234', registry: await emptyRegistry(), contentDirs: [], logger, backoff: { baseMs: 100, capMs: 200 } });
    cleanups.push(() => autohost.close());
    await autohost.start();
    await waitFor(() => autohost.connectionStatus.failedAttempts >= 2, 5_000, 'two failed attempts');
    expect(autohost.connectionStatus.phase).toBe('reconnecting');
    expect(autohost.connectionStatus.message).toContain("The server refused the autohost's client id or secret");
    expect(server.autohosts.connectedCount).toBe(0);
    expect(logger.lines.join('\n')).not.toContain('not-the-secret-1234');
  });

  it('an upgrade refused with 401 (an expired token) drops the cached token and tries again with a fresh one', async () => {
    const server = await embeddedServer();
    const { secret } = server.addAutohostClient('ah-401');
    controlsOf(server).refuseUpgrades(401);
    const autohost = new LocalAutohost({ serverUrl: server.baseUrl, clientId: 'ah-401', clientSecret: secret, registry: await emptyRegistry(), contentDirs: [] });
    cleanups.push(() => autohost.close());
    await autohost.start();
    await waitFor(() => autohost.connectionStatus.phase === 'unauthorized', 5_000, 'the 401');
    controlsOf(server).refuseUpgrades(null);
    await waitFor(() => server.autohosts.statusOf('ah-401') !== null, 5_000, 'the autohost to sign in again and connect');
  });

  it('discovery whose issuer is another server is refused before the secret is sent', async () => {
    const posts: string[] = [];
    const impostor = await httpServer((req, res, origin) => {
      if (req.method === 'POST') posts.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: 'https://lobby.example.org', token_endpoint: `${origin}/oauth2/token`, grant_types_supported: ['client_credentials'] }));
    });
    const error = await failure(new ClientCredentials({ serverUrl: impostor, clientId: 'ah', clientSecret: 'secret-5678' }).getToken());
    expect(error.code).toBe('discovery_failed');
    expect(error.message).toBe(`The server's OAuth metadata names another issuer ("https://lobby.example.org", expected ${impostor}).`);
    expect(posts).toEqual([]);
  });

  it('refuses plain http to a remote host, a missing discovery document, and a token answer without a bearer token', async () => {
    expect(() => new ClientCredentials({ serverUrl: 'http://lobby.example.org', clientId: 'a', clientSecret: 'b' })).toThrow(ClientCredentialsError);
    const missing = await httpServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    expect((await failure(new ClientCredentials({ serverUrl: missing, clientId: 'a', clientSecret: 'b' }).getToken())).code).toBe('discovery_failed');
    const odd = await httpServer((req, res, origin) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.method === 'GET' ? { issuer: origin, token_endpoint: `${origin}/token` } : { access_token: 'abc', token_type: 'mac' }));
    });
    const error = await failure(new ClientCredentials({ serverUrl: odd, clientId: 'a', clientSecret: 'b' }).getToken());
    expect(error).toMatchObject({ code: 'token_request_failed', message: 'The token endpoint answered with a token type other than Bearer.' });
    const remoteEndpoint = await httpServer((_req, res, origin) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: origin, token_endpoint: 'http://tokens.example.org/token' }));
    });
    expect((await failure(new ClientCredentials({ serverUrl: remoteEndpoint, clientId: 'a', clientSecret: 'b' }).getToken())).code).toBe('insecure_server');
  });

  it('refuses a token answer over 64 KiB without reading it all', async () => {
    const huge = await httpServer((req, res, origin) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.method === 'GET' ? { issuer: origin, token_endpoint: `${origin}/token` } : { access_token: 'abc', token_type: 'Bearer', padding: 'x'.repeat(70_000) }));
    });
    const error = await failure(new ClientCredentials({ serverUrl: huge, clientId: 'a', clientSecret: 'b' }).getToken());
    expect(error).toMatchObject({ code: 'token_request_failed', message: 'The token endpoint\'s answer is larger than 64 KiB; refusing it.' });
  });
});

async function httpServer(handle: (req: IncomingMessage, res: ServerResponse, origin: string) => void): Promise<string> {
  let origin = '';
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(req, res, origin));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return origin;
}

async function emptyRegistry(): Promise<EngineRegistry> {
  return new EngineRegistry([]);
}
