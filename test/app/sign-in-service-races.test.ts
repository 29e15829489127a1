// The sign-in service's resumes against token endpoints that hang or answer late: every wait is bounded, and a resume a
// newer select() overtook changes nothing, whatever it brings and whenever it brings it.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createSignInService, type SignInService, type SignInServiceOptions } from '../../src-main/app/sign-in-service';
import { ServerProfiles, TokenSession, createMemoryRefreshTokenStore, signIn, type RefreshTokenStore } from '../../src-main/core/auth';
import { leakedSecrets, logger, playBrowser, recordingFetch, secrets, startServer } from '../auth/support';
import { recordLog, recordSecrets } from '../support/secret-ledger';
import { waitFor } from '../support/world';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});
afterAll(() => {
  recordSecrets(...secrets);
  recordLog(logger.lines);
  expect(leakedSecrets()).toEqual([]);
});

interface TokenServer {
  readonly url: string;
  /** Token requests received and not answered yet. */
  waiting(): number;
  /** Answers every waiting token request. */
  answer(status: number, body: Record<string, unknown>): void;
}

/** Discovery plus a token endpoint on 127.0.0.1 that holds every request until the test answers it (`answer` given: at once). */
async function tokenServer(atOnce?: { status: number; body: Record<string, unknown> }): Promise<TokenServer> {
  const held: ServerResponse[] = [];
  const http: Server = createServer((req, res) => {
    const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    if (req.url === '/.well-known/oauth-authorization-server') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: origin, authorization_endpoint: `${origin}/a`, token_endpoint: `${origin}/t`, response_types_supported: ['code'] }));
      return;
    }
    req.resume();
    req.on('end', () => {
      if (atOnce) reply(res, atOnce.status, atOnce.body);
      else held.push(res);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    http.close(() => resolve());
    http.closeAllConnections();
  }));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    waiting: () => held.length,
    answer: (status, body) => {
      for (const res of held.splice(0)) reply(res, status, body);
    },
  };
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function service(options: Partial<SignInServiceOptions> & { store: RefreshTokenStore }): Promise<SignInService> {
  const profiles = await ServerProfiles.open({ load: async () => null, save: async () => undefined });
  const created = createSignInService({ profiles, openBrowser: () => undefined, logger: logger.child('app-auth'), ...options });
  cleanups.push(() => created.close());
  return created;
}

const tokenAnswer = (n: string) => ({ access_token: `access-${n}-0123456789`, token_type: 'Bearer', expires_in: 3600, refresh_token: `refresh-${n}-0123456789` });

describe('resuming a remembered sign-in', () => {
  it('gives up on a token endpoint that never answers within its bound, says why, and keeps the stored sign-in', async () => {
    const hung = await tokenServer();
    const store = createMemoryRefreshTokenStore();
    await store.write(hung.url, 'refresh-stored-0123456789');
    // select() would wait 20 s for the resume; the resume's own bound (200 ms) is what ends it.
    const auth = await service({ store, resumeTimeoutMs: 200, resumeWaitMs: 20_000 });
    await auth.select(hung.url);
    expect(auth.session()).toEqual({
      state: 'signed_out', server: hung.url, problem: 'network',
      message: 'Could not reach the server to resume your sign-in. The server did not answer in time.',
    });
    expect(auth.sessionFor(hung.url)).toBeNull();
    // It was the token endpoint that hung: the refresh is there, unanswered.
    await waitFor('the refresh at the token endpoint', () => hung.waiting() === 1);
    expect(await store.read(hung.url)).toBe('refresh-stored-0123456789');
  });

  for (const late of [{ what: 'a token', status: 200, body: tokenAnswer('late') }, { what: 'a failure', status: 503, body: { error: 'temporarily_unavailable' } }]) {
    it(`ignores ${late.what} from a resume overtaken by a switch to another server, answered after the newer resume: the newer result stands`, async () => {
      const slow = await tokenServer();
      const fast = await tokenServer({ status: 200, body: tokenAnswer('fast') });
      const store = createMemoryRefreshTokenStore();
      await store.write(slow.url, 'refresh-slow-0123456789');
      await store.write(fast.url, 'refresh-fast-0123456789');
      const auth = await service({ store, resumeWaitMs: 20_000 });
      const patches: unknown[] = [];
      auth.onPatch((patch) => patches.push(patch));
      let changes = 0;
      auth.onSessionChange(() => changes++);
      const dispose = vi.spyOn(TokenSession.prototype, 'dispose');
      cleanups.push(() => dispose.mockRestore());

      const first = auth.select(slow.url);
      await waitFor('the first resume at its token endpoint', () => slow.waiting() === 1);
      await auth.select(fast.url);
      expect(auth.session()).toEqual({ state: 'signed_in', server: fast.url, lastEvent: 'auth success' });
      const settled = patches.length;

      slow.answer(late.status, late.body);
      await first;
      expect(auth.session()).toEqual({ state: 'signed_in', server: fast.url, lastEvent: 'auth success' });
      expect(auth.sessionFor(fast.url)?.state).toBe('signed-in');
      expect(auth.sessionFor(slow.url)).toBeNull();
      expect(patches.slice(settled)).toEqual([]);
      expect(changes).toBe(0);
      // A late session was stopped at once, so it never refreshes unseen.
      if (late.status === 200) expect(dispose.mock.contexts.some((s) => (s as TokenSession).server === slow.url)).toBe(true);
    });
  }

  it('lets the later of two select() calls made at once decide the server and the session', async () => {
    const a = await tokenServer({ status: 200, body: tokenAnswer('a') });
    const b = await tokenServer({ status: 200, body: tokenAnswer('b') });
    const store = createMemoryRefreshTokenStore();
    await store.write(a.url, 'refresh-a-0123456789');
    await store.write(b.url, 'refresh-b-0123456789');
    const auth = await service({ store, resumeWaitMs: 20_000 });
    const servers: string[] = [];
    auth.onPatch((patch) => servers.push(patch.slice === 'servers' ? `list ${patch.value.current}` : `session ${patch.value.server}`));
    await Promise.all([auth.select(a.url), auth.select(b.url)]);
    expect(auth.servers().current).toBe(b.url);
    expect(auth.session()).toEqual({ state: 'signed_in', server: b.url, lastEvent: 'auth success' });
    expect(auth.sessionFor(b.url)).not.toBeNull();
    // Once the later call has named its server, nothing names the other one again.
    expect(servers.slice(servers.indexOf(`list ${b.url}`)).filter((line) => line.endsWith(a.url))).toEqual([]);
  });

  it('never lets two resumes of one server present the same refresh token: the newer one stands and the grant survives', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    server.addPlayer('alice');
    const store = createMemoryRefreshTokenStore();
    const signedIn = await signIn({ serverUrl: server.baseUrl, store, logger: logger.child('auth'), autoRefresh: false, openBrowser: (url) => void playBrowser(url) });
    signedIn.dispose();
    // Every refresh waits a moment before it is sent, so the second resume starts while the first is under way.
    const fetch = recordingFetch();
    fetch.delays.refresh_token = 200;
    const auth = await service({ store, fetch, resumeWaitMs: 20_000 });

    const first = auth.select(server.baseUrl);
    await waitFor('the first refresh under way', () => fetch.counts.refresh_token === 1);
    await auth.select(null);
    await auth.select(server.baseUrl);
    await first;
    expect(auth.session()).toEqual({ state: 'signed_in', server: server.baseUrl, lastEvent: 'auth success' });
    // One refresh each, one after the other: the server saw no replay, so it did not end the grant.
    expect(fetch.counts.refresh_token).toBe(2);
    const session = auth.sessionFor(server.baseUrl);
    const accessToken = (await session?.getAccessToken()) ?? '';
    expect(server.accounts.accountForToken(accessToken)?.username).toBe('alice');
    expect(await store.read(server.baseUrl)).toMatch(/^rt_/);
  });
});
