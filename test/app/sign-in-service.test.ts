// The app's sign-in through the lobby service (the transport-independent half of IPC) against the embedded server over real HTTP and WebSocket:
// the browser step is played by the test on the URL the app asked to open; sessions, profiles, sign-out and ended sign-ins as the page sees them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { AppSnapshot, PatchMessage, SessionView } from '../../src-main/contract';
import { TokenSession, createFileRefreshTokenStore, type RefreshTokenStore } from '../../src-main/core/auth';
import type { TachyonServer } from '../../src-main/core/server/tachyon-server';
import type { LobbyService } from '../../src-main/app/lobby-service';
import type { SignInServiceOptions } from '../../src-main/app/sign-in-service';
import { leakedSecrets, logger, playBrowser, postForm, recordingFetch, secrets, startServer } from '../auth/support';
import { recordLog, recordSecrets } from '../support/secret-ledger';
import { createRecordingSignInService, createSignedInLobbyService } from '../support/app-service';
import { waitFor } from '../support/world';
import { controlsOf } from '../support/server-controls';

interface Rig {
  server: TachyonServer;
  service: LobbyService;
  store: RefreshTokenStore;
  dir: string;
  /** Every URL the app asked the system browser to open. */
  opened: string[];
  /** Every patch the page would have received, and every intent result. */
  wire: unknown[];
  /** Frames the server received, by user. */
  frames: { userId: string; text: string }[];
  session(): SessionView;
  invoke(name: string, payload?: unknown): Promise<unknown>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});
afterAll(() => {
  recordSecrets(...secrets);
  recordLog(logger.lines);
  expect(leakedSecrets()).toEqual([]);
});

async function rig(options: { server?: TachyonServer; dir?: string; startOn?: 'remote' | 'embedded'; auth?: Partial<SignInServiceOptions> } = {}): Promise<Rig> {
  const server = options.server ?? (await startServer());
  if (!options.server) {
    server.addPlayer('alice');
    cleanups.push(() => server.close());
  }
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'lobby-signin-'));
  if (!options.dir) cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const store = createFileRefreshTokenStore(dir);
  const opened: string[] = [];
  const auth = await createRecordingSignInService(dir, opened, { store, ...options.auth });
  const frames: { userId: string; text: string }[] = [];
  const stopFrames = controlsOf(server).onFrame((userId, text) => frames.push({ userId, text }));
  cleanups.push(async () => void stopFrames());
  const service = await createSignedInLobbyService({ serverUrl: options.startOn === 'embedded' ? null : server.baseUrl, dataDir: dir, auth, logger });
  cleanups.push(() => service.close());
  const wire: unknown[] = [];
  let latest: SessionView = ((await service.invoke('snapshot', null)) as { ok: true; value: { state: { session: SessionView } } }).value.state.session;
  service.onPatch((message: PatchMessage) => {
    wire.push(message);
    if (message.patch.slice === 'session') latest = message.patch.value;
    if (message.patch.slice === 'reset') latest = message.patch.value.session;
  });
  return {
    server, service, store, dir, opened, wire, frames,
    session: () => latest,
    async invoke(name, payload = null) {
      const result = await service.invoke(name, payload);
      wire.push(result);
      return result;
    },
  };
}

async function snapshotOf(service: LobbyService) {
  const result = await service.invoke('snapshot', null);
  if (!result.ok) throw new Error(result.message);
  return (result.value as { state: AppSnapshot }).state;
}

/** No token, code or verifier in anything that would cross IPC. */
function assertNoSecretOnTheWire(r: Rig): void {
  // The check has teeth: the tokens this test's sign-ins were issued are among the secrets looked for.
  expect([...secrets].some((s) => s.startsWith('rt_')) && [...secrets].some((s) => s.startsWith('local_'))).toBe(true);
  const text = JSON.stringify(r.wire);
  for (const secret of secrets) if (secret.length >= 8) expect(text.includes(secret), 'a secret crossed the contract').toBe(false);
}

describe('app sign-in (lobby service + sign-in service + factory, embedded server)', () => {
  it('signs in through the browser, connects with the session, signs out with revoke and system/disconnect', async () => {
    const r = await rig();
    const before = await snapshotOf(r.service);
    expect(before.session).toMatchObject({ state: 'signed_out', server: r.server.baseUrl });
    expect(before.servers.current).toBe(r.server.baseUrl);
    expect(before.servers.profiles.map((p) => p.id)).toEqual(['embedded', r.server.baseUrl]);
    // Not signed in: the lobby waits instead of knocking with an empty token.
    expect(before.connection.phase).toBe('idle');

    expect(await r.invoke('signIn')).toEqual({ ok: true, value: { openedBrowser: true, server: r.server.baseUrl } });
    expect(r.session().state).toBe('signing_in');
    expect(r.opened).toHaveLength(1);
    expect(new URL(r.opened[0]!).searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth2callback$/);

    const browser = await playBrowser(r.opened[0]!);
    expect(browser.page).toMatch(/You can close this tab/);
    await waitFor('signed in', () => r.session().state === 'signed_in');
    expect(r.session()).toEqual({ state: 'signed_in', server: r.server.baseUrl, lastEvent: 'auth success' });
    await waitFor('connected', () => (r.wire.some((m) => JSON.stringify(m).includes('"phase":"connected"')) ? true : null), 5_000);
    const signedIn = await snapshotOf(r.service);
    expect(signedIn.self?.username).toBe('alice');
    expect(signedIn.servers.profiles.find((p) => p.id === r.server.baseUrl)?.signedIn).toBe(true);
    expect(await r.store.read(r.server.baseUrl)).toMatch(/^rt_/);

    const userId = signedIn.self?.userId ?? '';
    expect(await r.invoke('signOut')).toEqual({ ok: true, value: { revoked: true } });
    expect(r.frames.some((f) => f.userId === userId && f.text.includes('"system/disconnect"'))).toBe(true);
    const after = await snapshotOf(r.service);
    expect(after.session).toMatchObject({ state: 'signed_out', server: r.server.baseUrl });
    expect(after.connection.phase).toBe('idle');
    expect(after.servers.profiles.find((p) => p.id === r.server.baseUrl)?.signedIn).toBe(false);
    expect(await r.store.read(r.server.baseUrl)).toBeNull();
    assertNoSecretOnTheWire(r);
  });

  it('resumes a remembered sign-in at the next start and connects at once', async () => {
    const first = await rig();
    await first.invoke('signIn');
    await playBrowser(first.opened[0]!);
    await waitFor('signed in', () => first.session().state === 'signed_in');
    await first.service.close();

    const second = await rig({ server: first.server, dir: first.dir });
    expect(second.session()).toEqual({ state: 'signed_in', server: first.server.baseUrl, lastEvent: 'auth success' });
    expect(second.opened).toEqual([]);
    await waitFor('connected', async () => (await snapshotOf(second.service)).connection.phase === 'connected' || null);
    assertNoSecretOnTheWire(second);
  });

  it('does not hold the lobby back for a slow resume, and rebuilds it once the sign-in is back', async () => {
    const first = await rig();
    await first.invoke('signIn');
    await playBrowser(first.opened[0]!);
    await waitFor('signed in', () => first.session().state === 'signed_in');
    await first.service.close();

    const slow = recordingFetch();
    slow.delays.refresh_token = 700;
    const started = Date.now();
    const second = await rig({ server: first.server, dir: first.dir, auth: { fetch: slow, resumeWaitMs: 100 } });
    expect(Date.now() - started).toBeLessThan(600);
    expect(second.session()).toMatchObject({ state: 'signing_in', message: 'Resuming your remembered sign-in…' });
    expect((await snapshotOf(second.service)).connection.phase).toBe('idle');
    await waitFor('resumed', () => second.session().state === 'signed_in' || null, 3_000);
    await waitFor('connected after the rebuild', async () => (await snapshotOf(second.service)).connection.phase === 'connected' || null, 5_000);
    expect(second.opened).toEqual([]);
  });

  it('stops a resumed session that arrives after the resume gave up, so it never refreshes unseen', async () => {
    const first = await rig();
    await first.invoke('signIn');
    await playBrowser(first.opened[0]!);
    await waitFor('signed in', () => first.session().state === 'signed_in');
    await first.service.close();

    const refresh = vi.spyOn(TokenSession.prototype, 'refresh');
    try {
      const slow = recordingFetch();
      slow.delays.refresh_token = 300;
      const second = await rig({ server: first.server, dir: first.dir, auth: { fetch: slow, resumeTimeoutMs: 20 } });
      expect(second.session()).toMatchObject({ state: 'signed_out', problem: 'network' });
      const late = await waitFor('the resume under way', () => refresh.mock.contexts[0] as TokenSession | undefined);
      // The server answers after all: that session holds fresh tokens but nobody adopted it, so it is stopped.
      await waitFor('the late session holds tokens', () => late.state === 'signed-in' && late.expiresAt !== null);
      expect(second.session()).toMatchObject({ state: 'signed_out', problem: 'network' });
      // No refresh timer left running (TokenSession.dispose clears it).
      expect((late as unknown as { timer: unknown }).timer).toBeNull();
    } finally {
      refresh.mockRestore();
    }
  });

  it('answers a 401 on reconnect with one refresh; a second 401 right after asks to sign in again', async () => {
    const fetch = recordingFetch();
    const r = await rig({ auth: { fetch } });
    await r.invoke('signIn');
    await playBrowser(r.opened[0]!);
    await waitFor('connected', async () => (await snapshotOf(r.service)).connection.phase === 'connected' || null);
    const refreshes = () => fetch.counts.refresh_token ?? 0;
    const before = refreshes();
    const saw = (phase: string) => r.wire.some((m) => JSON.stringify(m).includes(`"phase":"${phase}"`));

    // The server refuses the next upgrade once (401); the refresh is slowed so the test can lift the refusal meanwhile.
    fetch.delays.refresh_token = 250;
    controlsOf(r.server).refuseUpgrades(401);
    r.wire.length = 0;
    controlsOf(r.server).dropAllConnections();
    await waitFor('refused once', () => saw('unauthorized') || null, 5_000);
    controlsOf(r.server).refuseUpgrades(null);
    r.wire.length = 0;
    await waitFor('back after one refresh', () => saw('connected') || null, 5_000);
    expect(refreshes() - before).toBe(1);
    expect(r.session()).toMatchObject({ state: 'signed_in', lastEvent: 'auth success' });

    // Refused again even with a fresh token: the session ends and the page is asked to sign in again.
    fetch.delays.refresh_token = 0;
    controlsOf(r.server).refuseUpgrades(401);
    controlsOf(r.server).dropAllConnections();
    await waitFor('sign-in needed', () => r.session().state === 'expired' || null, 5_000);
    expect(refreshes() - before).toBe(2);
    expect(r.session()).toMatchObject({ lastEvent: 'token expired', problem: 'ended' });
    expect(r.session().message).toMatch(/refused the sign-in even after a token refresh/);
    await waitFor('lobby stopped', async () => (await snapshotOf(r.service)).connection.phase === 'idle' || null);
    controlsOf(r.server).refuseUpgrades(null);
    assertNoSecretOnTheWire(r);
  });

  it('shows a denied consent, a cancelled sign-in and a server that is gone in words', async () => {
    const r = await rig();
    await r.invoke('signIn');
    await playBrowser(r.opened[0]!, { decision: 'deny' });
    await waitFor('denied', () => r.session().state === 'signed_out' && r.session().problem === 'access_denied');
    expect(r.session().message).toMatch(/^Access denied/);

    await r.invoke('signIn');
    expect(r.session().state).toBe('signing_in');
    await r.invoke('cancelSignIn');
    await waitFor('cancelled', () => r.session().problem === 'cancelled');
    expect(r.session()).toMatchObject({ state: 'signed_out', message: 'Sign-in cancelled.' });

    const port = new URL(r.server.baseUrl).port;
    await r.server.close();
    const gone = (await r.invoke('signIn')) as { ok: false; code: string; reason: string; message: string };
    expect(gone).toMatchObject({ ok: false, code: 'sign_in_failed', reason: 'network' });
    expect(gone.message).toMatch(/Could not reach the server/);
    expect(r.session()).toMatchObject({ state: 'signed_out', problem: 'network' });
    expect(port).not.toBe('');
    assertNoSecretOnTheWire(r);
  });

  it('turns a sign-in the server ended into `token expired` and stops the lobby', async () => {
    // Two-second access tokens: the session refreshes at half-life, as it would a minute before a real expiry.
    const server = await startServer({ tokenLifetimeSeconds: 2 });
    server.addPlayer('alice');
    cleanups.push(() => server.close());
    const r = await rig({ server });
    await r.invoke('signIn');
    await playBrowser(r.opened[0]!);
    await waitFor('connected', () => (r.wire.some((m) => JSON.stringify(m).includes('"phase":"connected"')) ? true : null), 5_000);
    // The server forgets the grant (an admin, or a sign-out elsewhere): the next refresh gets invalid_grant.
    const refreshToken = (await r.store.read(server.baseUrl)) ?? '';
    expect((await postForm(`${server.baseUrl}/oauth2/revoke`, { token: refreshToken, token_type_hint: 'refresh_token', client_id: 'generic_lobby' })).status).toBe(200);
    await waitFor('expired', () => r.session().state === 'expired' || null, 5_000);
    expect(r.session()).toMatchObject({ state: 'expired', server: server.baseUrl, lastEvent: 'token expired', problem: 'ended' });
    expect(r.session().message).toMatch(/Sign in again/);
    await waitFor('lobby stopped', async () => (await snapshotOf(r.service)).connection.phase === 'idle' || null);
    const after = await snapshotOf(r.service);
    expect(after.servers.profiles.find((p) => p.id === server.baseUrl)?.signedIn).toBe(false);
    expect(await r.store.read(server.baseUrl)).toBeNull();
    assertNoSecretOnTheWire(r);
  });

  it('removing a server it is signed in to revokes that sign-in at the server and deletes it here', async () => {
    const r = await rig();
    await r.invoke('signIn');
    await playBrowser(r.opened[0]!);
    await waitFor('signed in', () => r.session().state === 'signed_in');
    const refreshToken = (await r.store.read(r.server.baseUrl)) ?? '';
    expect(refreshToken).toMatch(/^rt_/);
    // Not in use any more (another server chosen), but remembered: removing the server must not leave a live grant behind.
    expect(await r.invoke('chooseServer', { id: 'embedded' })).toMatchObject({ ok: true });
    expect(await r.store.read(r.server.baseUrl)).toBe(refreshToken);
    expect(await r.invoke('removeServer', { id: r.server.baseUrl })).toMatchObject({ ok: true, value: { profiles: [{ id: 'embedded' }] } });
    expect(await r.store.read(r.server.baseUrl)).toBeNull();
    const refresh = await postForm(`${r.server.baseUrl}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'generic_lobby' });
    expect(refresh.status).toBe(400);
    expect(refresh.body).toMatchObject({ error: 'invalid_grant' });
    assertNoSecretOnTheWire(r);
  });

  it('validates the sign-in and server intents before anything runs', async () => {
    const r = await rig({ startOn: 'embedded' });
    const local = await snapshotOf(r.service);
    expect(local.session).toEqual({ state: 'signed_in', server: 'embedded' });
    expect(await r.invoke('signIn')).toMatchObject({ ok: false, code: 'not_available' });
    expect(await r.invoke('addServer', { url: r.server.baseUrl, token: 'x' })).toMatchObject({ ok: false, code: 'invalid_input', message: 'invalid payload: / additionalProperties' });
    expect(await r.invoke('addServer', { url: 'http://lobby.example' })).toMatchObject({ ok: false, code: 'invalid_input', message: expect.stringMatching(/Plain http/) });
    expect(await r.invoke('chooseServer', { id: 'https://nowhere.example' })).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(await r.invoke('removeServer', { id: 'embedded' })).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(await r.invoke('signOut', { now: true })).toMatchObject({ ok: false, code: 'invalid_input' });

    const added = (await r.invoke('addServer', { url: `${r.server.baseUrl}/some/path`, label: 'Test server' })) as { ok: true; value: { current: string; profiles: { id: string; label: string }[] } };
    expect(added.ok).toBe(true);
    expect(added.value.current).toBe(r.server.baseUrl);
    expect(added.value.profiles.map((p) => p.label)).toEqual(['This computer', 'Test server']);
    expect(r.session()).toMatchObject({ state: 'signed_out', server: r.server.baseUrl });
    expect(await r.invoke('removeServer', { id: r.server.baseUrl })).toMatchObject({ ok: false, code: 'invalid_input', message: expect.stringMatching(/Switch to another server/) });
    expect(await r.invoke('chooseServer', { id: 'embedded' })).toMatchObject({ ok: true, value: { current: 'embedded' } });
    expect(r.session()).toEqual({ state: 'signed_in', server: 'embedded' });
    expect(await r.invoke('removeServer', { id: r.server.baseUrl })).toMatchObject({ ok: true, value: { profiles: [{ id: 'embedded' }] } });
  });
});
