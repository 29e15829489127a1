// The setup every browser test file shares: one Chromium for the file (with the bridge's shim), a cleanup list run after
// each test (last added first), and the page's errors and console errors collected and expected empty after each test.
// `openPage` puts a lobby service behind the bridge and opens the page on it, connected.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { LobbyService } from '../../src-main/app/lobby-service';
import { launchRendererBrowser, type BrowserWorld } from './browser';
import { BROWSER_SHIM, startBridge, type Bridge } from '../e2e/bridge/bridge-server';

/** Where the browser tests put their screenshots (`test-output/screenshots`). */
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-output/screenshots');

export interface OpenPageOptions {
  /** The page's default timeout for waits and clicks (ms). */
  timeoutMs?: number;
  /** Close the service after the test (default true; false when the test closes it itself). */
  closeService?: boolean;
}

export interface BrowserSuite {
  readonly browser: () => BrowserWorld;
  /** Runs after this test, before the ones added earlier. */
  cleanup(step: () => Promise<void> | void): void;
  /** A problem to fail this test with after its cleanup (the page's errors are added on their own). */
  problem(text: string): void;
  /** The service behind the bridge, and a page on it that has said `Connected`. */
  openPage(service: LobbyService, options?: OpenPageOptions): Promise<Page>;
  /** Saves a full-page screenshot `<name>.png`. */
  shot(page: Page, name: string): Promise<void>;
}

/** Registers the file's hooks; call once at the top level of a test file. */
export function useBrowserSuite(options: { launchTimeoutMs?: number; afterAll?: () => void } = {}): BrowserSuite {
  let browser: BrowserWorld | undefined;
  let steps: (() => Promise<void> | void)[] = [];
  let problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await launchRendererBrowser({ initScript: BROWSER_SHIM });
  }, options.launchTimeoutMs ?? 60_000);
  afterAll(async () => {
    await browser?.dispose();
    options.afterAll?.();
  });
  afterEach(async () => {
    for (const step of steps.reverse()) await step();
    steps = [];
    const seen = problems;
    problems = [];
    expect(seen).toEqual([]);
  });

  const suite: BrowserSuite = {
    browser: () => {
      if (!browser) throw new Error('the browser is not launched yet (use it inside a test)');
      return browser;
    },
    cleanup: (step) => void steps.push(step),
    problem: (text) => void problems.push(text),
    async openPage(service, { timeoutMs = 8_000, closeService = true } = {}) {
      const bridge: Bridge = await startBridge(suite.browser().rendererDir, service);
      if (closeService) suite.cleanup(() => service.close());
      suite.cleanup(() => bridge.close());
      const page = await suite.browser().context.newPage();
      page.setDefaultTimeout(timeoutMs);
      suite.cleanup(() => page.close());
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      await page.goto(bridge.url);
      await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
      return page;
    },
    async shot(page, name) {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
  };
  return suite;
}
