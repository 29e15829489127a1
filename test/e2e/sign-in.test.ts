// Signing in from the page in Debian's Chromium through the browser bridge: the real lobby service, sign-in service and factory
// against the embedded server; the test plays the system browser on the URL the app asked to open. No mocked stores.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFileRefreshTokenStore, type RefreshTokenStore } from '../../src-main/core/auth';
import type { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { leakedSecrets, logger, playBrowser, postForm, secrets, startServer } from '../auth/support';
import { recordLog, recordSecrets } from '../support/secret-ledger';
import { createRecordingSignInService, createSignedInLobbyService } from '../support/app-service';
import { waitFor } from '../support/world';
import { launchRendererBrowser, type BrowserWorld } from '../support/browser';
import { BROWSER_SHIM, startBridge } from './bridge/bridge-server';
import { controlsOf } from '../support/server-controls';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots');

let browser: BrowserWorld | undefined;
let rendererDir: string;
let context: BrowserContext;
let cleanup: (() => Promise<void>)[] = [];
let problems: string[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchRendererBrowser({ initScript: BROWSER_SHIM });
  ({ rendererDir, context } = browser);
}, 60_000);

afterAll(async () => {
  await browser?.dispose();
  recordSecrets(...secrets);
  recordLog(logger.lines);
  expect(leakedSecrets()).toEqual([]);
});

afterEach(async () => {
  // Each step gets a deadline, so a step that hangs is named in the failure instead of timing out the whole hook.
  for (const step of cleanup.reverse()) {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`cleanup step hung: ${step.toString().slice(0, 80)}`), 10_000)));
    const outcome = await Promise.race([step().then(() => null), hung]);
    clearTimeout(timer);
    if (outcome) problems.push(outcome);
  }
  cleanup = [];
  const seen = problems;
  problems = [];
  expect(seen).toEqual([]);
});

interface SignInScene {
  page: Page;
  /** URLs the app asked the system browser to open (Electron would pass them to shell.openExternal). */
  opened: string[];
  /** Every frame main sent the page over the bridge: none may hold a token, code or verifier. */
  toPage: string[];
  /** The app's refresh-token store (a file in the temp dir, as the headless client keeps it). */
  store: RefreshTokenStore;
}

/** The app as main.ts builds it, with a file token store in a temp dir and a system browser the test plays. */
async function openApp(serverUrl: string | null): Promise<SignInScene> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lobby-e2e-signin-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const opened: string[] = [];
  const store = createFileRefreshTokenStore(dir);
  const auth = await createRecordingSignInService(dir, opened, { store });
  const service = await createSignedInLobbyService({ serverUrl: serverUrl, dataDir: dir, auth, logger });
  cleanup.push(() => service.close());
  const bridge = await startBridge(rendererDir, service);
  cleanup.push(() => bridge.close());
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  cleanup.push(() => page.close());
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  const toPage: string[] = [];
  page.on('websocket', (socket) => socket.on('framereceived', (frame) => toPage.push(String(frame.payload))));
  await page.goto(bridge.url);
  return { page, opened, toPage, store };
}

async function startAuthServer(options: { tokenLifetimeSeconds?: number } = {}): Promise<TachyonServer> {
  const server = await startServer(options);
  server.addPlayer('alice', { displayName: 'Alice' });
  cleanup.push(() => server.close());
  return server;
}

/** The data-test of the focused element (the page's DOM, evaluated in Chromium). */
function focusedTestId(page: Page): Promise<string | null> {
  return page.evaluate<string | null>('document.activeElement ? document.activeElement.getAttribute("data-test") : null');
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

function assertNoSecretReachedThePage(scene: SignInScene): void {
  // The check has teeth: the tokens this test's sign-ins were issued are among the secrets looked for.
  expect([...secrets].some((s) => s.startsWith('rt_')) && [...secrets].some((s) => s.startsWith('local_'))).toBe(true);
  const all = scene.toPage.join('\n');
  expect(scene.toPage.length).toBeGreaterThan(0);
  for (const secret of secrets) if (secret.length >= 8) expect(all.includes(secret), 'a secret reached the page').toBe(false);
}

describe('sign-in in the page', () => {
  it('adds a server, signs in through the browser, connects, and signs out with system/disconnect', async () => {
    const server = await startAuthServer();
    const frames: string[] = [];
    const stopFrames = controlsOf(server).onFrame((_user, text) => frames.push(text));
    cleanup.push(async () => void stopFrames());
    // Start as a newcomer does: the local server on this computer, no sign-in.
    const scene = await openApp(null);
    const { page } = scene;
    await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('sign-in-title').filter({ hasText: 'Playing on this computer' }).waitFor();

    await page.getByTestId('add-server-url').fill(server.baseUrl);
    await page.getByTestId('add-server-label').fill('Test server');
    await page.getByTestId('add-server-label').press('Enter');
    await page.getByTestId('sign-in-title').filter({ hasText: 'Not signed in to Test server' }).waitFor();
    expect(await page.getByTestId('sign-in-server').innerText()).toBe(`Test server · ${server.baseUrl}`);
    expect(await page.getByTestId('server-current').count()).toBe(1);
    await shot(page, 'sign-in-1-signed-out');

    // Keyboard: the Sign in button is reachable and works with Enter.
    await page.getByTestId('sign-in-button').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('sign-in-title').filter({ hasText: 'Waiting for your browser…' }).waitFor();
    await page.getByTestId('sign-in-cancel').waitFor();
    // Focus follows the button that replaced the one pressed, so Enter again would cancel.
    await waitFor('focus on Cancel', async () => (await focusedTestId(page)) === 'sign-in-cancel' || null, 2_000);
    expect(await page.getByTestId('self').innerText()).toBe('Signing in…');
    await shot(page, 'sign-in-2-waiting');

    await waitFor('the app asked the system browser to open the sign-in page', () => scene.opened.length === 1);
    const authorize = new URL(scene.opened[0]!);
    expect(authorize.origin).toBe(server.baseUrl);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const browser = await playBrowser(scene.opened[0]!);
    expect(browser.page).toMatch(/You can close this tab/);

    await page.getByTestId('sign-in-title').filter({ hasText: 'Signed in as Alice' }).waitFor();
    await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
    expect(await page.getByTestId('self').innerText()).toBe('Alice');
    await page.getByTestId('server-signed-in').waitFor();
    await shot(page, 'sign-in-3-signed-in');
    // The Server view carries the same panel beside the connection; no banner is shown while signed in.
    await page.getByTestId('nav-server').click();
    await page.getByTestId('sign-in-title').filter({ hasText: 'Signed in as Alice' }).waitFor();
    expect(await page.getByTestId('session-banner').count()).toBe(0);
    await shot(page, 'sign-in-3b-server-view');
    await page.getByTestId('nav-settings').click();

    await page.getByTestId('sign-out-button').click();
    await page.getByTestId('sign-in-title').filter({ hasText: 'Not signed in to Test server' }).waitFor();
    expect(await page.getByTestId('sign-in-detail').innerText()).toMatch(/Signed out\. The server has forgotten this sign-in\./);
    expect(await focusedTestId(page)).toBe('sign-in-button');
    expect(await page.getByTestId('server-signed-in').count()).toBe(0);
    expect(await page.getByTestId('connection').innerText()).toMatch(/Offline/);
    expect(frames.some((f) => f.includes('"system/disconnect"'))).toBe(true);
    await shot(page, 'sign-in-4-signed-out-again');
    assertNoSecretReachedThePage(scene);
  });

  it('shows a denied consent in words, and a sign-in the server ended as a sign-in-again banner', async () => {
    // Two-second access tokens: the session refreshes at half-life, so an ended grant is noticed within a second.
    const server = await startAuthServer({ tokenLifetimeSeconds: 2 });
    const scene = await openApp(server.baseUrl);
    const { page } = scene;
    // Elsewhere than Settings and Server, a strip says a sign-in is needed.
    const banner = page.getByTestId('session-banner');
    await banner.filter({ hasText: 'Not signed in to' }).waitFor();
    await page.getByTestId('banner-sign-in').click();
    await banner.filter({ hasText: 'Waiting for your browser…' }).waitFor();
    await waitFor('browser opened', () => scene.opened.length === 1);
    await playBrowser(scene.opened[0]!, { decision: 'deny' });
    await banner.filter({ hasText: 'Access denied' }).waitFor();
    await shot(page, 'sign-in-5-denied');

    await page.getByTestId('banner-sign-in').click();
    await waitFor('browser opened again', () => scene.opened.length === 2);
    await playBrowser(scene.opened[1]!);
    await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
    await banner.waitFor({ state: 'detached' });

    // The server ends the grant: the next refresh gets invalid_grant → `token expired` → the banner asks to sign in again.
    const refreshToken = (await scene.store.read(server.baseUrl)) ?? '';
    expect(refreshToken).toMatch(/^rt_/);
    const revoked = await postForm(`${server.baseUrl}/oauth2/revoke`, { token: refreshToken, token_type_hint: 'refresh_token', client_id: 'generic_lobby' });
    expect(revoked.status).toBe(200);
    await banner.filter({ hasText: 'has ended' }).waitFor();
    expect(await page.getByTestId('banner-sign-in').innerText()).toBe('Sign in again');
    expect(await banner.getAttribute('data-state')).toBe('expired');
    await page.getByTestId('connection').filter({ hasText: 'Offline' }).waitFor();
    await shot(page, 'sign-in-6-expired');
    assertNoSecretReachedThePage(scene);
  });
});
