// Test support: the built renderer and a fresh Debian Chromium profile, as every browser test and the renderer bench use them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, selectors, type BrowserContext } from 'playwright-core';
import { build } from 'vite';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Without the background-networking flags Chromium keeps trying network paths this machine does not have. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface BrowserWorld {
  /** The renderer built by Vite, to serve over http on 127.0.0.1 (module scripts do not load over file://). */
  readonly rendererDir: string;
  readonly context: BrowserContext;
  dispose(): Promise<void>;
}

/** `initScript` runs in every page before the app (the tests' stand-in for the preload). */
export async function launchRendererBrowser(options: { logLevel?: 'warn' | 'silent'; initScript?: string } = {}): Promise<BrowserWorld> {
  // Components mark what tests look for with data-test (not playwright's default data-testid).
  selectors.setTestIdAttribute('data-test');
  const rendererDir = mkdtempSync(path.join(tmpdir(), 'lobby-renderer-'));
  const profileDir = mkdtempSync(path.join(tmpdir(), 'lobby-chromium-'));
  try {
    await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: options.logLevel ?? 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
    const context = await chromium.launchPersistentContext(profileDir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true, viewport: { width: 1280, height: 800 } });
    if (options.initScript) await context.addInitScript(options.initScript);
    return {
      rendererDir,
      context,
      async dispose() {
        await context.close();
        rmSync(rendererDir, { recursive: true, force: true });
        rmSync(profileDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(rendererDir, { recursive: true, force: true });
    rmSync(profileDir, { recursive: true, force: true });
    throw error;
  }
}
