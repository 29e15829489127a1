// The embedded server's browser sign-in against a local attacker: no flow without a console, no code without the console's one-time code, bounded state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { s256Challenge } from '../../src-main/core/auth';
import { startLocalPlay } from '../../src-main/core/local-play';
import { TachyonServer, type TachyonServerOptions } from '../../src-main/core/server/tachyon-server';
import { openConsent, postForm, submitConsent } from '../auth/support';
import { showConsentCode } from '../support/consent-console';
import { wsClient } from './raw-client';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function startServer(options: TachyonServerOptions = {}): Promise<TachyonServer> {
  const server = new TachyonServer(options);
  cleanups.push(() => server.close());
  await server.listen(0);
  server.addPlayer('alice');
  return server;
}

const consoleServer = (options: TachyonServerOptions = {}) => startServer({ ...options, oauth: { showConsentCode, ...options.oauth } });

const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk';
const REDIRECT = 'http://127.0.0.1:9/oauth2callback';

function authorizeUrl(server: TachyonServer, redirectUri = REDIRECT): string {
  const url = new URL(`${server.baseUrl}/oauth2/authorize`);
  const params = { response_type: 'code', client_id: 'generic_lobby', redirect_uri: redirectUri, scope: 'tachyon.lobby', state: 'st', code_challenge: s256Challenge(verifier), code_challenge_method: 'S256' };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

const codeIn = (response: Response) => new URL(response.headers.get('location') ?? 'http://x/').searchParams.get('code');

async function exchange(server: TachyonServer, code: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return postForm(`${server.baseUrl}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'generic_lobby', code_verifier: verifier });
}

/** The whole flow as a person does it: open the page, type the console's code, Allow, exchange the code. */
async function signInAsAlice(server: TachyonServer): Promise<Record<string, unknown>> {
  const decided = await submitConsent(authorizeUrl(server), await openConsent(authorizeUrl(server)));
  const code = codeIn(decided);
  if (!code) throw new Error(`consent answered ${decided.status} without a code`);
  const token = await exchange(server, code);
  expect(token.status).toBe(200);
  return token.body;
}

describe('without a console (the app\'s in-app server)', () => {
  it('has no browser sign-in at all', async () => {
    const server = await startServer();
    expect((await fetch(authorizeUrl(server))).status).toBe(404);
    const post = await fetch(`${server.baseUrl}/oauth2/authorize`, { method: 'POST', body: new URLSearchParams({ request: 'x', decision: 'allow', player: '1' }) });
    expect(post.status).toBe(404);
    const doc = await (await fetch(`${server.baseUrl}/.well-known/oauth-authorization-server`)).json() as Record<string, unknown>;
    expect(doc.authorization_endpoint).toBeUndefined();
    expect(doc.grant_types_supported).toEqual(['client_credentials']);
    expect((await exchange(server, 'any')).body.error).toBe('invalid_client');
  });

  it('local play turns it off, and the app still gets its player\'s token directly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consent-test-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const play = await startLocalPlay({ dataDir: dir, autohost: false, engines: { includeSystem: false } });
    cleanups.push(() => play.close());
    expect((await fetch(authorizeUrl(play.server))).status).toBe(404);
    const client = await wsClient(play.server, play.tokenFor('me'));
    await new Promise((resolve) => { if (client.messages.length > 0) resolve(undefined); else client.socket.once('message', resolve); });
    expect(client.messages[0]).toMatchObject({ commandId: 'user/self', data: { user: { username: 'me' } } });
    client.socket.close();
  });
});

describe('with a console (npm run server)', () => {
  it('mints no code for the bare GET + POST (no code, no CSRF token, no cookie)', async () => {
    const server = await consoleServer();
    const html = await (await fetch(authorizeUrl(server))).text();
    const request = /name="request" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const player = /name="player" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const bare = await fetch(`${server.baseUrl}/oauth2/authorize`, { method: 'POST', body: new URLSearchParams({ request, player, decision: 'allow' }), redirect: 'manual' });
    expect(bare.status).toBe(403);
    expect(codeIn(bare)).toBeNull();
    expect(html).not.toMatch(/<script/i);
  });

  it('mints no code without the console\'s code, and drops the request after three wrong ones', async () => {
    const server = await consoleServer();
    const consent = await openConsent(authorizeUrl(server));
    const right = consent.form.get('code') ?? '';
    for (const typed of ['', 'AAAA-AAAA']) {
      consent.form.set('code', typed);
      const wrong = await submitConsent(authorizeUrl(server), consent);
      expect(wrong.status).toBe(400);
      expect(await wrong.text()).toMatch(/not the code for request/);
    }
    consent.form.set('code', 'BBBB-BBBB');
    expect((await submitConsent(authorizeUrl(server), consent)).status).toBe(400);
    consent.form.set('code', right);
    const late = await submitConsent(authorizeUrl(server), consent);
    expect(codeIn(late)).toBeNull();
    expect(await late.text()).toMatch(/expired/);
  });

  it('refuses a consent from another origin, or with the CSRF token or cookie of another request', async () => {
    const server = await consoleServer();
    const url = authorizeUrl(server);
    const post = (consent: Awaited<ReturnType<typeof openConsent>>, headers: Record<string, string>) =>
      fetch(`${server.baseUrl}/oauth2/authorize`, { method: 'POST', body: consent.form, redirect: 'manual', headers: { cookie: consent.cookie, ...headers } });
    const a = await openConsent(url);
    const hostile: Record<string, string>[] = [{ origin: 'http://attacker.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of hostile) {
      const refused = await post(a, headers);
      expect(refused.status).toBe(403);
      expect(codeIn(refused)).toBeNull();
    }
    const b = await openConsent(url);
    expect((await post(a, { cookie: b.cookie.replace(/^[^=]+/, a.cookie.split('=')[0] ?? '') })).status).toBe(403);
    // A refused CSRF check ends that request.
    expect((await submitConsent(url, a)).status).toBe(400);
    expect(codeIn(await submitConsent(url, b))).not.toBeNull();
  });

  it('signs the chosen player in with the console\'s code', async () => {
    const server = await consoleServer();
    const token = await signInAsAlice(server);
    expect(server.accounts.accountForToken(token.access_token as string)?.username).toBe('alice');
  });
});

describe('bounded OAuth state', () => {
  it('10k authorize GETs keep at most 64 consent requests, and a redirect_uri over 512 characters is refused', async () => {
    let shown = 0;
    const server = await startServer({ oauth: { showConsentCode: () => { shown++; } } });
    const long = `http://127.0.0.1:9/${'a'.repeat(480)}`;
    expect((await fetch(authorizeUrl(server, `${long}${'b'.repeat(40)}`))).status).toBe(400);
    expect(server.playerAuthorization.sizes.pending).toBe(0);
    let next = 0;
    const worker = async () => {
      while (next < 10_000) {
        next++;
        const response = await fetch(authorizeUrl(server, long));
        await response.arrayBuffer();
        expect(response.status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(shown).toBe(10_000);
    expect(server.playerAuthorization.sizes.pending).toBe(64);
  }, 120_000);

  it('keeps at most 8 grants per player: a ninth sign-in ends the oldest', async () => {
    const server = await consoleServer();
    const grants: Record<string, unknown>[] = [];
    for (let i = 0; i < 9; i++) grants.push(await signInAsAlice(server));
    expect(server.playerAuthorization.sizes.refreshTokens).toBe(8);
    const refresh = (token: Record<string, unknown>) => postForm(`${server.baseUrl}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: token.refresh_token as string, client_id: 'generic_lobby' });
    expect((await refresh(grants[0] ?? {})).body.error).toBe('invalid_grant');
    expect(server.accounts.accountForToken(grants[0]?.access_token as string)).toBeUndefined();
    expect((await refresh(grants[1] ?? {})).status).toBe(200);
  });

  it('prunes expired autohost tokens on every issue and caps the live ones', async () => {
    let now = Date.now();
    const server = await startServer({ oauth: { now: () => now } });
    const { clientId, secret } = server.addAutohostClient('ah');
    const ask = () => postForm(`${server.baseUrl}/oauth2/token`, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'tachyon.lobby' });
    for (let i = 0; i < 300; i++) expect((await ask()).status).toBe(200);
    expect(server.serviceAuthorization.tokenCount).toBe(256);
    now += 3_601_000;
    await ask();
    expect(server.serviceAuthorization.tokenCount).toBe(1);
  });
});
