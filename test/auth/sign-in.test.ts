// Sign-in end to end against the embedded server over real HTTP: sign-in, refusals, refresh, revocation, the 401 path, and a grep of every log for secrets.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  AuthError, DiscoveryCache, REFRESH_TOKEN_FILE, createFileRefreshTokenStore, createMemoryRefreshTokenStore, loginInteractively,
  refreshOnUnauthorized, resumeSession, s256Challenge, signIn, type AuthEvent, type TokenSession,
} from '../../src-main/core/auth';
import { TachyonConnection, type ConnectionPhase } from '../../src-main/core/connection/tachyon-connection';
import type { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { leakedSecrets, logger, logLines, note, openConsent, playBrowser, postForm, recordingFetch, secrets, startServer, submitConsent } from './support';
import { controlsOf } from '../support/server-controls';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => {
  expect(leakedSecrets()).toEqual([]);
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'auth-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function world(options: Parameters<typeof startServer>[0] = {}) {
  const server = await startServer(options);
  cleanups.push(() => server.close());
  server.addPlayer('alice');
  server.addPlayer('bob');
  const fetch = recordingFetch();
  const store = createMemoryRefreshTokenStore();
  return { server, fetch, store };
}

async function signedIn(
  w: Awaited<ReturnType<typeof world>>, extra: { autoRefresh?: boolean } = {}, browser: (url: string) => Promise<unknown> = playBrowser,
): Promise<{ session: TokenSession; events: AuthEvent[] }> {
  const events: AuthEvent[] = [];
  const session = await signIn({
    serverUrl: w.server.baseUrl, store: w.store, fetch: w.fetch, logger: logger.child('auth'), autoRefresh: extra.autoRefresh ?? false,
    openBrowser: (url) => void browser(url).catch((error: Error) => note(`browser: ${error.message}`)),
  });
  cleanups.push(() => session.dispose());
  session.onEvent((e) => events.push(e));
  return { session, events };
}

async function caught(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (error) {
    note(`caught: ${(error as Error).message}`);
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('expected the promise to fail');
}

async function upgradeStatus(server: TachyonServer, token: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${server.baseUrl.replace('http', 'ws')}/tachyon`, ['v0.tachyon'], { headers: { Authorization: `Bearer ${token}` } });
    socket.on('open', () => { socket.close(); resolve(101); });
    socket.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); socket.terminate(); });
    socket.on('error', () => undefined);
  });
}

describe('sign-in against the embedded server', () => {
  it('discovery advertises the player flow', async () => {
    const { server } = await world();
    const doc = await (await fetch(`${server.baseUrl}/.well-known/oauth-authorization-server`)).json() as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: server.baseUrl,
      authorization_endpoint: `${server.baseUrl}/oauth2/authorize`,
      token_endpoint: `${server.baseUrl}/oauth2/token`,
      revocation_endpoint: `${server.baseUrl}/oauth2/revoke`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(doc.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
  });

  it('signs in through the consent page, stores only the refresh token (0600), and connects with the access token', async () => {
    const w = await world();
    const dataDir = tempDir();
    const store = createFileRefreshTokenStore(dataDir);
    let page = '';
    const events: AuthEvent[] = [];
    const session = await signIn({
      serverUrl: w.server.baseUrl, store, fetch: w.fetch, logger: logger.child('auth'), onEvent: (e) => events.push(e),
      openBrowser: async (url) => {
        expect(new URL(url).searchParams.get('scope')).toBe('tachyon.lobby');
        expect(new URL(url).searchParams.get('client_id')).toBe('generic_lobby');
        expect(new URL(url).searchParams.get('state')?.length).toBeGreaterThanOrEqual(22);
        void playBrowser(url).then((b) => { page = b.page; });
      },
    });
    cleanups.push(() => session.dispose());
    expect(events).toEqual([{ event: 'auth success' }]);
    expect(session.state).toBe('signed-in');
    expect(page).toMatch(/you can close this tab/i);
    const file = join(dataDir, REFRESH_TOKEN_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { refreshTokens: Record<string, string> };
    expect(Object.keys(saved.refreshTokens)).toEqual([w.server.baseUrl]);
    const accessToken = await session.getAccessToken();
    expect(readFileSync(file, 'utf8')).not.toContain(accessToken);
    expect(w.server.accounts.accountForToken(accessToken)?.username).toBe('alice');
    expect(await upgradeStatus(w.server, accessToken)).toBe(101);
    expect(w.fetch.counts).toEqual({ authorization_code: 1 });
    // A second run resumes from the file: one refresh, no browser.
    const resumedEvents: AuthEvent[] = [];
    const resumed = await resumeSession({ serverUrl: w.server.baseUrl, store, fetch: w.fetch, logger: logger.child('auth'), autoRefresh: false, onEvent: (e) => resumedEvents.push(e) });
    expect(resumed?.state).toBe('signed-in');
    expect(resumedEvents.map((e) => e.event)).toEqual(['token expiring', 'auth success']);
    resumed?.dispose();
    expect(w.fetch.counts.refresh_token).toBe(1);
  });

  it('refuses a callback with the wrong state and closes the listener', async () => {
    const w = await world();
    let callback = '';
    const error = await caught(signIn({
      serverUrl: w.server.baseUrl, store: w.store, fetch: w.fetch, logger: logger.child('auth'),
      openBrowser: (url) => void playBrowser(url, { tamper: (cb) => { cb.searchParams.set('state', 'not-the-state-we-sent'); callback = cb.toString(); } }).catch(() => undefined),
    }));
    expect(error.code).toBe('state_mismatch');
    expect(error.message).toMatch(/did not belong/);
    expect(w.fetch.counts.authorization_code).toBeUndefined();
    await expect(fetch(callback)).rejects.toThrow();
  });

  it('fails with invalid_grant when the verifier does not match the challenge', async () => {
    const w = await world();
    w.fetch.rewrite = (form) => { if (form.has('code_verifier')) form.set('code_verifier', 'A'.repeat(43)); };
    const error = await caught(signIn({ serverUrl: w.server.baseUrl, store: w.store, fetch: w.fetch, logger: logger.child('auth'), openBrowser: (url) => void playBrowser(url) }));
    expect(error).toMatchObject({ code: 'token_request_failed', oauthError: 'invalid_grant' });
    expect(await w.store.read(w.server.baseUrl)).toBeNull();
  });

  it('explains a denied consent in words', async () => {
    const w = await world();
    let page = '';
    const error = await caught(signIn({
      serverUrl: w.server.baseUrl, store: w.store, fetch: w.fetch, logger: logger.child('auth'),
      openBrowser: (url) => void playBrowser(url, { decision: 'deny' }).then((b) => { page = b.page; }),
    }));
    expect(error.code).toBe('access_denied');
    expect(error.message).toMatch(/You declined the sign-in/);
    await new Promise((r) => setTimeout(r, 50));
    expect(page).toMatch(/You declined/);
    expect(page).toMatch(/close this tab/);
  });

  it('refuses an expired code', async () => {
    const w = await world({ oauth: { codeLifetimeSeconds: 0.1 } });
    w.fetch.delays.authorization_code = 250;
    const error = await caught(signIn({ serverUrl: w.server.baseUrl, store: w.store, fetch: w.fetch, logger: logger.child('auth'), openBrowser: (url) => void playBrowser(url) }));
    expect(error).toMatchObject({ code: 'token_request_failed', oauthError: 'invalid_grant' });
    expect(error.message).toMatch(/expired/);
  });

  it('gives up after the timeout when nobody comes back', async () => {
    const w = await world();
    const error = await caught(signIn({ serverUrl: w.server.baseUrl, store: w.store, fetch: w.fetch, logger: logger.child('auth'), timeoutMs: 100, openBrowser: () => undefined }));
    expect(error.code).toBe('timeout');
  });

  it('ignores stray requests to the listener and can be cancelled', async () => {
    const w = await world();
    const controller = new AbortController();
    let strayStatus = 0;
    const error = await caught(signIn({
      serverUrl: w.server.baseUrl, store: w.store, fetch: w.fetch, logger: logger.child('auth'), signal: controller.signal,
      openBrowser: async (url) => {
        const redirect = new URL(new URL(url).searchParams.get('redirect_uri') ?? '');
        strayStatus = (await fetch(new URL('/favicon.ico', redirect))).status;
        controller.abort();
      },
    }));
    expect(strayStatus).toBe(404);
    expect(error.code).toBe('cancelled');
  });

  it('answers a wrong-state hit that carries no code or error with 400 and goes on with the sign-in', async () => {
    const w = await world();
    const strays: number[] = [];
    const { session } = await signedIn(w, {}, async (url) => {
      const callback = new URL(new URL(url).searchParams.get('redirect_uri') ?? '');
      for (const query of ['?state=not-ours', '', '?foo=bar']) strays.push((await fetch(`${callback.toString()}${query}`)).status);
      await playBrowser(url);
    });
    expect(strays).toEqual([400, 400, 400]);
    expect(session.state).toBe('signed-in');
    expect(w.fetch.counts.authorization_code).toBe(1);
  });

  it('rotates refresh tokens: the old one is refused afterwards, and replaying it ends the grant', async () => {
    const w = await world();
    const { session, events } = await signedIn(w);
    const first = await w.store.read(w.server.baseUrl);
    const firstAccess = await session.getAccessToken();
    const secondAccess = await session.refresh();
    const second = await w.store.read(w.server.baseUrl);
    expect(second).not.toBe(first);
    expect(secondAccess).not.toBe(firstAccess);
    expect(events.map((e) => e.event)).toEqual(['token expiring', 'auth success']);
    const replay = await postForm(`${w.server.baseUrl}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: first ?? '', client_id: 'generic_lobby' });
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // The replay revealed a leak: the whole grant ends, so the session must sign in again.
    expect(await upgradeStatus(w.server, secondAccess)).toBe(401);
    const error = await caught(session.refresh());
    expect(error.code).toBe('sign_in_needed');
    expect(events.at(-1)).toMatchObject({ event: 'token expired' });
  });

  it('ends the session on invalid_grant and asks to sign in again', async () => {
    const w = await world();
    const { session, events } = await signedIn(w);
    const refreshToken = await w.store.read(w.server.baseUrl);
    const revoked = await fetch(`${w.server.baseUrl}/oauth2/revoke`, { method: 'POST', body: new URLSearchParams({ token: refreshToken ?? '', client_id: 'generic_lobby' }) });
    expect(revoked.status).toBe(200);
    const error = await caught(session.refresh());
    expect(error.code).toBe('sign_in_needed');
    expect(session.state).toBe('signed-out');
    expect(await w.store.read(w.server.baseUrl)).toBeNull();
    expect(events.map((e) => e.event)).toEqual(['token expiring', 'token expired']);
    expect(events[1]?.message).toMatch(/Sign in again/);
    expect((await caught(session.getAccessToken())).code).toBe('sign_in_needed');
  });

  it('shares one refresh between concurrent callers', async () => {
    const w = await world();
    const { session, events } = await signedIn(w);
    w.fetch.delays.refresh_token = 100;
    session.invalidateAccessToken();
    const tokens = await Promise.all([session.getAccessToken(), session.refresh(), session.getAccessToken(), session.refresh()]);
    expect(new Set(tokens).size).toBe(1);
    expect(w.fetch.counts.refresh_token).toBe(1);
    expect(events.map((e) => e.event)).toEqual(['token expiring', 'auth success']);
  });

  it('refreshes before expiry, and the server refuses an expired access token', async () => {
    const w = await world({ tokenLifetimeSeconds: 1 });
    const { session, events } = await signedIn(w, { autoRefresh: true });
    const first = await session.getAccessToken();
    // Lifetime under two margins: the timer refreshes at half-life, but not sooner than a second after the token came.
    await waitFor(() => events.length >= 2);
    expect(w.fetch.counts.refresh_token).toBeGreaterThanOrEqual(1);
    expect(events.slice(0, 2).map((e) => e.event)).toEqual(['token expiring', 'auth success']);
    expect(await upgradeStatus(w.server, first)).toBe(401);
    expect(await upgradeStatus(w.server, await session.getAccessToken())).toBe(101);
  });

  it('signs out: revokes at the server, deletes locally, then disconnects', async () => {
    const w = await world();
    const { session } = await signedIn(w);
    const refreshToken = await w.store.read(w.server.baseUrl);
    const accessToken = await session.getAccessToken();
    const order: string[] = [];
    const result = await session.signOut({ disconnect: async () => { order.push(`disconnect, stored=${String(await w.store.read(w.server.baseUrl))}`); } });
    expect(result.revoked).toBe(true);
    expect(w.fetch.counts.revoke).toBe(1);
    expect(order).toEqual(['disconnect, stored=null']);
    expect(session.state).toBe('signed-out');
    const again = await postForm(`${w.server.baseUrl}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: refreshToken ?? '', client_id: 'generic_lobby' });
    expect(again.body.error).toBe('invalid_grant');
    // RFC 7009 §2.1: revoking the refresh token also ends the access tokens of that grant.
    expect(await upgradeStatus(w.server, accessToken)).toBe(401);
  });

  it('refreshes once on a 401 of the upgrade and reconnects; a second 401 asks to sign in', async () => {
    const w = await world();
    const { session, events } = await signedIn(w);
    const connection = new TachyonConnection({ serverUrl: w.server.baseUrl, getToken: () => session.getAccessToken(), logger: logger.child('connection'), backoff: { baseMs: 20, capMs: 100 } });
    cleanups.push(() => connection.close());
    const phases: ConnectionPhase[] = [];
    connection.onStatus((s) => phases.push(s.phase));
    refreshOnUnauthorized(session, connection);
    connection.start();
    await waitFor(() => connection.status.phase === 'connected');
    // The server forgets our access token (as after a restart), then drops us.
    w.server.accounts.revokeToken(await session.getAccessToken());
    controlsOf(w.server).dropAllConnections();
    await waitFor(() => phases.includes('unauthorized') && connection.status.phase === 'connected');
    expect(w.fetch.counts.refresh_token).toBe(1);
    expect(events.map((e) => e.event)).toEqual(['token expiring', 'auth success']);
    // Now the server refuses everyone: one more refresh, then the player is asked.
    controlsOf(w.server).refuseUpgrades(401);
    controlsOf(w.server).dropAllConnections();
    await waitFor(() => events.some((e) => e.event === 'token expired'));
    expect(w.fetch.counts.refresh_token).toBe(2);
    expect(session.state).toBe('signed-out');
    expect(events.at(-1)?.message).toMatch(/even after a token refresh/);
  });

  it('the headless login prints the URL, then remembers the sign-in in the data dir', async () => {
    const w = await world();
    const dataDir = tempDir();
    const printed: string[] = [];
    const print = (line: string) => {
      printed.push(line);
      note(`printed: ${line}`);
      const url = /^\s+(http\S+)$/.exec(line)?.[1];
      if (url) void playBrowser(url);
    };
    const session = await loginInteractively({ serverUrl: w.server.baseUrl, dataDir, print, fetch: w.fetch, logger: logger.child('login') });
    cleanups.push(() => session.dispose());
    expect(printed[0]).toMatch(/open this address/);
    expect(printed.at(-1)).toBe(`Signed in to ${w.server.baseUrl}.`);
    const again = await loginInteractively({ serverUrl: w.server.baseUrl, dataDir, print: (l) => printed.push(l), fetch: w.fetch, logger: logger.child('login') });
    cleanups.push(() => again.dispose());
    expect(printed.at(-1)).toMatch(/remembered sign-in/);
    expect(w.fetch.counts).toMatchObject({ authorization_code: 1, refresh_token: 1 });
  });
});

describe('discovery checks', () => {
  async function metadataServer(doc: Record<string, unknown> | ((origin: string) => Record<string, unknown>), headers: Record<string, string> = {}) {
    let hits = 0;
    const http = createServer((req, res) => {
      hits++;
      const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      res.writeHead(req.url === '/.well-known/oauth-authorization-server' ? 200 : 404, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(typeof doc === 'function' ? doc(origin) : doc));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, hits: () => hits };
  }
  const good = (origin: string) => ({
    issuer: origin, authorization_endpoint: `${origin}/a`, token_endpoint: `${origin}/t`, response_types_supported: ['code'], code_challenge_methods_supported: ['S256'],
  });

  it('refuses a server that advertises no S256', async () => {
    const server = await metadataServer((origin) => ({ ...good(origin), code_challenge_methods_supported: ['plain'] }));
    const error = await caught(signIn({ serverUrl: server.url, store: createMemoryRefreshTokenStore(), openBrowser: () => { throw new Error('must not open'); } }));
    expect(error.code).toBe('discovery_failed');
    expect(error.message).toMatch(/PKCE with S256/);
  });

  it('refuses a foreign issuer and a missing code flow; accepts an absent method list', async () => {
    const foreign = await metadataServer((origin) => ({ ...good(origin), issuer: 'https://elsewhere.example' }));
    expect((await caught(new DiscoveryCache().get(foreign.url))).message).toMatch(/issuer/);
    const noCode = await metadataServer((origin) => ({ ...good(origin), response_types_supported: ['token'] }));
    expect((await caught(new DiscoveryCache().get(noCode.url))).message).toMatch(/authorization code/);
    const insecure = await metadataServer((origin) => ({ ...good(origin), token_endpoint: 'http://tokens.example/t' }));
    expect((await caught(new DiscoveryCache().get(insecure.url))).code).toBe('insecure_server');
    const noMethods = await metadataServer((origin) => { const d: Record<string, unknown> = good(origin); delete d.code_challenge_methods_supported; return d; });
    expect((await new DiscoveryCache().get(noMethods.url)).tokenEndpoint).toBe(`${noMethods.url}/t`);
  });

  it('caches per Cache-Control', async () => {
    const cached = await metadataServer(good, { 'cache-control': 'public, max-age=300' });
    const discovery = new DiscoveryCache();
    await discovery.get(cached.url);
    await discovery.get(`${cached.url}/`);
    expect(cached.hits()).toBe(1);
    const uncached = await metadataServer(good, { 'cache-control': 'no-store' });
    await discovery.get(uncached.url);
    await discovery.get(uncached.url);
    expect(uncached.hits()).toBe(2);
  });
});

describe('the consent page and token endpoint refuse what they must', () => {
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk';
  const challenge = s256Challenge(verifier);
  function authorize(server: TachyonServer, change: Record<string, string | null> = {}): string {
    const url = new URL(`${server.baseUrl}/oauth2/authorize`);
    const params: Record<string, string | null> = {
      response_type: 'code', client_id: 'generic_lobby', redirect_uri: 'http://127.0.0.1:9/oauth2callback', scope: 'tachyon.lobby',
      state: 'st', code_challenge: challenge, code_challenge_method: 'S256', ...change,
    };
    for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
    return url.toString();
  }

  it('escapes player names and uses no scripts', async () => {
    const { server } = await world();
    server.addPlayer('<script>alert(1)</script>', { displayName: '"Eve" & co' });
    const response = await fetch(authorize(server));
    const html = await response.text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;Eve&quot; &amp; co');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  });

  it('shows an error page (no redirect) for an unknown client or a non-loopback redirect_uri', async () => {
    const { server } = await world();
    const changes: Record<string, string | null>[] = [{ client_id: 'evil' }, { redirect_uri: 'https://evil.example/cb' }, { redirect_uri: 'http://localhost:9/cb' }, { redirect_uri: null }];
    for (const change of changes) {
      const response = await fetch(authorize(server, change), { redirect: 'manual' });
      expect(response.status).toBe(400);
      await response.body?.cancel();
    }
  });

  it('redirects with an error for a bad response_type, scope or challenge', async () => {
    const { server } = await world();
    const cases: [Record<string, string | null>, string][] = [
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ scope: null }, 'invalid_scope'],
      [{ scope: 'admin' }, 'invalid_scope'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge: 'short' }, 'invalid_request'],
    ];
    for (const [change, error] of cases) {
      const response = await fetch(authorize(server, change), { redirect: 'manual' });
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location') ?? '');
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('state')).toBe('st');
    }
  });

  it('codes are single-use and bound to the redirect_uri', async () => {
    const { server } = await world();
    const issue = async () => {
      const decided = await submitConsent(authorize(server), await openConsent(authorize(server)));
      const code = new URL(decided.headers.get('location') ?? '').searchParams.get('code') ?? '';
      secrets.add(code);
      return code;
    };
    const token = (code: string, redirectUri = 'http://127.0.0.1:9/oauth2callback') =>
      postForm(`${server.baseUrl}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'generic_lobby', code_verifier: verifier });
    const code = await issue();
    const ok = await token(code);
    expect(ok).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 3600, scope: 'tachyon.lobby' } });
    for (const key of ['access_token', 'refresh_token']) secrets.add(ok.body[key] as string);
    expect((await token(code)).body.error).toBe('invalid_grant');
    expect((await token(await issue(), 'http://127.0.0.1:10/oauth2callback')).body.error).toBe('invalid_grant');
    // A consent form can be answered once only.
    expect((await fetch(`${server.baseUrl}/oauth2/authorize`, { method: 'POST', body: new URLSearchParams({ request: 'made-up', decision: 'allow' }) })).status).toBe(400);
  });
});

describe('logs', () => {
  it('no token, code or verifier reached any log line, error message or printed line', () => {
    expect(secrets.size).toBeGreaterThan(10);
    expect(logLines.length).toBeGreaterThan(10);
    // The grep itself works: a planted line is found, then removed.
    const planted = [...secrets].find((s) => s.startsWith('rt_')) ?? '';
    logLines.push(`planted ${planted}`);
    expect(leakedSecrets()).toHaveLength(1);
    logLines.pop();
    expect(leakedSecrets()).toEqual([]);
  });
});

async function waitFor(probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
