// The sign-in with a real browser: Chromium opens the consent page, the player types the console's code and clicks Allow, the loopback callback page says the tab can be closed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createMemoryRefreshTokenStore, signIn } from '../../src-main/core/auth';
import type { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { leakedSecrets, logger, note, recordingFetch, startServer } from './support';
import { consentCodeFor } from '../support/consent-console';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let browser: Browser;
let server: TachyonServer;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  server = await startServer();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  expect(leakedSecrets()).toEqual([]);
});

describe('sign-in in Chromium', () => {
  it('clicking Allow on the consent page signs the lobby in', async () => {
    server.addPlayer('alice');
    server.addPlayer('<img src=x onerror=alert(1)>');
    const page: Page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss(); });
    const fetch = recordingFetch();
    const store = createMemoryRefreshTokenStore();
    const session = await signIn({
      serverUrl: server.baseUrl, store, fetch, logger: logger.child('auth'), autoRefresh: false,
      openBrowser: async (url) => {
        await page.goto(url);
        expect(await page.locator('label').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('<img src=x onerror=alert(1)>')]));
        // The person finds this page's request on the server console and types the code shown there.
        await page.locator('#code').fill(consentCodeFor(await page.locator('#request-label').innerText()));
        await page.locator('#allow').click();
      },
    });
    try {
      await page.waitForURL(/127\.0\.0\.1:\d+\/oauth2callback/);
      expect(await page.locator('body').innerText()).toMatch(/You can close this tab/);
      expect(page.url()).not.toContain('code_verifier');
      expect(session.state).toBe('signed-in');
      expect(server.accounts.accountForToken(await session.getAccessToken())?.username).toBe('alice');
      expect(await store.read(server.baseUrl)).toMatch(/^rt_/);
      expect(dialogs).toEqual([]);
      note(`chromium ended at ${new URL(page.url()).pathname}`);
    } finally {
      session.dispose();
      await page.close();
    }
  });
});
