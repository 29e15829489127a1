// A hostile token endpoint on 127.0.0.1: tokens that cannot be a header, and lifetimes that would overflow a timer or storm the server.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, DiscoveryCache, TokenSession, createMemoryRefreshTokenStore, resumeSession } from '../../src-main/core/auth';
import { MAX_TOKEN_LIFETIME_SECONDS } from '../../src-main/core/auth/token-endpoint';
import { logger } from './support';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Discovery plus a token endpoint that answers every refresh with `answer(n)` for the n-th request (HTTP `status`, 200 unless given). */
async function tokenServer(answer: (n: number) => Record<string, unknown>, status = 200): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const http: Server = createServer((req, res) => {
    const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    if (req.url === '/.well-known/oauth-authorization-server') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: origin, authorization_endpoint: `${origin}/a`, token_endpoint: `${origin}/t`, response_types_supported: ['code'] }));
      return;
    }
    requests++;
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer(requests)));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => { http.close(() => resolve()); http.closeAllConnections(); }));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, requests: () => requests };
}

async function resume(url: string, autoRefresh = true): Promise<TokenSession | null> {
  const store = createMemoryRefreshTokenStore();
  await store.write(url, 'rt-stored');
  const session = await resumeSession({ serverUrl: url, store, logger: logger.child('auth'), autoRefresh });
  if (session) cleanups.push(() => session.dispose());
  return session;
}

describe('access tokens that cannot be a bearer token', () => {
  for (const bad of ['abc\r', 'abc\r\nX-Injected: 1', 'tok\u0100en', ' ', 'a b']) {
    it(`refuses ${JSON.stringify(bad)} with a sign-in error in words`, async () => {
      const server = await tokenServer(() => ({ access_token: bad, token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-next' }));
      const error = await resume(server.url).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toMatchObject({ code: 'token_request_failed' });
      expect((error as AuthError).message).toMatch(/^The server issued an access token this app cannot use: the token (holds characters|is empty)/);
    });
  }

  it('refuses a refresh token that is not printable ASCII or is oversized', async () => {
    for (const refresh of ['rt\nx', 'r'.repeat(4097)]) {
      const server = await tokenServer(() => ({ access_token: 'good-token', token_type: 'Bearer', expires_in: 3600, refresh_token: refresh }));
      await expect(resume(server.url)).rejects.toMatchObject({ code: 'token_request_failed', message: expect.stringMatching(/refresh token this app cannot keep/) as unknown });
    }
  });
});

describe('refusals in words', () => {
  it('keeps a refusal from the server on one line, without control or bidi characters', async () => {
    const server = await tokenServer(() => ({ error: 'invalid_request\u0085', error_description: 'no\n2026-01-01T00:00:00Z error fake\u2028line \u202eexe.txt \u200fend' }), 400);
    const error = await resume(server.url).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'token_request_failed' });
    const message = (error as AuthError).message;
    expect(message).toContain('2026-01-01T00:00:00Z error fake');
    // eslint-disable-next-line no-control-regex
    expect(message).not.toMatch(/[\u0000-\u001f\u0085\u2028\u202e\u200f]/);
  });
});

describe('token lifetimes from a hostile server', () => {
  for (const expiresIn of [2_592_000, 1e300, 0.0001, -5]) {
    it(`makes a bounded number of token requests for expires_in ${expiresIn}`, async () => {
      const server = await tokenServer((n) => ({ access_token: `tok-${n}`, token_type: 'Bearer', expires_in: expiresIn, refresh_token: `rt-${n}` }));
      const session = await resume(server.url);
      expect(session).not.toBeNull();
      const first = await session?.getAccessToken();
      // Whoever asks in the next moment gets the same token: no request per use, and no timer firing at once.
      for (let i = 0; i < 20; i++) expect(await session?.getAccessToken()).toBe(first);
      await new Promise((r) => setTimeout(r, 300));
      expect(server.requests()).toBe(1);
      const expiresAt = session?.expiresAt;
      if (expiresAt !== null && expiresAt !== undefined) expect(expiresAt).toBeLessThanOrEqual(Date.now() + MAX_TOKEN_LIFETIME_SECONDS * 1000);
    });
  }

  it('re-arms instead of firing at once when a token set names an expiry beyond the timer range', async () => {
    const server = await tokenServer((n) => ({ access_token: `tok-${n}`, token_type: 'Bearer', expires_in: 3600 }));
    const metadata = { issuer: server.url, authorizationEndpoint: `${server.url}/a`, tokenEndpoint: `${server.url}/t`, revocationEndpoint: null, scopesSupported: null };
    const session = new TokenSession({ server: server.url, metadata, clientId: 'generic_lobby', store: createMemoryRefreshTokenStore(), logger: logger.child('auth') }, 'rt-held');
    cleanups.push(() => session.dispose());
    await session.accept({ accessToken: 'tok-0', expiresAt: Date.now() + 30 * 24 * 3600 * 1000, refreshToken: null, scope: null });
    await new Promise((r) => setTimeout(r, 300));
    expect(server.requests()).toBe(0);
    expect(await session.getAccessToken()).toBe('tok-0');
  });
});

/** Discovery (padded by `discoveryPadding` characters) and a token endpoint that streams `chunks` × 16 KiB of an unfinished JSON answer and never ends it. */
async function streamingServer(chunks: number, discoveryPadding = 0): Promise<string> {
  const http: Server = createServer((req, res) => {
    const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/.well-known/oauth-authorization-server') {
      res.end(JSON.stringify({ issuer: origin, authorization_endpoint: `${origin}/a`, token_endpoint: `${origin}/t`, response_types_supported: ['code'], padding: 'x'.repeat(discoveryPadding) }));
      return;
    }
    req.resume();
    res.write('{"access_token":"good-token","token_type":"Bearer","padding":"');
    for (let i = 0; i < chunks; i++) res.write('x'.repeat(16 * 1024));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => { http.close(() => resolve()); http.closeAllConnections(); }));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

describe('answers too large to read', () => {
  const refusal = { code: 'token_request_failed', message: 'The server\'s token answer is larger than 64 KiB; refusing it.' };

  it('refuses a token answer that declares more than 64 KiB', async () => {
    const server = await tokenServer(() => ({ access_token: 'good-token', token_type: 'Bearer', expires_in: 3600, padding: 'x'.repeat(70_000) }));
    await expect(resume(server.url)).rejects.toMatchObject(refusal);
  });

  it('stops reading a token answer streamed past 64 KiB that never ends', async () => {
    await expect(resume(await streamingServer(8))).rejects.toMatchObject(refusal);
  });

  it('refuses a discovery document over 64 KiB', async () => {
    const url = await streamingServer(0, 70_000);
    await expect(new DiscoveryCache().get(url)).rejects.toMatchObject({ code: 'discovery_failed', message: 'The server\'s sign-in metadata is larger than 64 KiB; refusing it.' });
  });
});
