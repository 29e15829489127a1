// Benchmark: the built renderer in Chromium with N users listed (10,000 and 100,000), the cost of one users patch of 1,000 or 1
// user changes (stores → Vue → DOM laid out, each step timed), the rows the list holds in the DOM, and the JS heap.
import path from 'node:path';
import type { LobbyService } from '../../src-main/app/lobby-service';
import { startBridge } from '../e2e/bridge/bridge-server';
import { launchRendererBrowser } from '../support/browser';
import { initialSnapshot } from '../../src-main/core/lobby/state';

/** One frame at 60 Hz. */
export const FRAME_BUDGET_MS = 16.7;

/**
 * Stands in for the preload inside the page (no socket, so the transport is not measured): the renderer's own feed
 * (client.ts → stores/feed.ts → the users store's pure patch function) receives a snapshot of `users` users and then
 * the patches the bench hands to `window.__bench.emit`.
 */
function benchShim(users: number): string {
  return `(() => {
    const statuses = ['menu', 'lobby', 'playing'];
    const userList = {};
    for (let i = 0; i < ${users}; i++) {
      const userId = 'u' + i;
      userList[userId] = { userId, username: 'player' + i, displayName: 'Player ' + String(i).padStart(5, '0'), clanId: null, status: statuses[i % 3] };
    }
    const listeners = new Set();
    let seq = 0;
    // The core's own empty snapshot, filled with the bench's users: the renderer loads exactly what main would send.
    const snapshot = Object.assign(${JSON.stringify({ ...initialSnapshot('http://127.0.0.1:1'), settings: { serverUrl: null, enginePaths: [], dataDir: null } })}, {
      connection: { serverUrl: 'http://127.0.0.1:1', phase: 'connected', versionParity: 'match', protocol: 'tachyon-current' },
      self: { userId: 'self', username: 'bench', displayName: 'Bench', status: 'menu' },
      stats: { userCount: ${users}, history: [] },
      users: userList,
    });
    const lobby = Object.freeze({
      async invoke(name) {
        if (name === 'snapshot') return { ok: true, value: { seq, state: snapshot } };
        return { ok: true, value: null };
      },
      onPatch(listener) { listeners.add(listener); return () => listeners.delete(listener); },
    });
    Object.defineProperty(window, 'lobby', { value: lobby });
    window.__bench = {
      emit(patch) { seq += 1; for (const l of listeners) l({ seq, patch }); },
      /** One patch of n user changes (every tenth user, so rows on screen change too), then the time until the DOM is laid out. */
      async measure(run, n) {
        const upsert = [];
        for (let k = 0; k < n; k++) {
          const i = (k * 10) % ${users};
          const status = statuses[(i + run + 1) % 3];
          upsert.push({ userId: 'u' + i, username: 'player' + i, displayName: 'Player ' + String(i).padStart(5, '0'), clanId: null, status });
        }
        const patch = { slice: 'users', upsert, remove: [] };
        // Start just after a frame, so the patch has the whole next frame's budget.
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        const started = performance.now();
        this.emit(patch);
        const stored = performance.now();
        // Vue flushes its queued renders in a microtask queued during emit: one await lets it run.
        await Promise.resolve();
        const rendered = performance.now();
        void document.body.offsetHeight; // style and layout of the new DOM, as the next frame would need
        const laidOut = performance.now();
        // The timing counts only if the re-render was inside it: u0 (first row) already shows its new status.
        const words = { menu: 'In menu', lobby: 'In lobby', playing: 'Playing' };
        const row = document.querySelector('[data-test="user-u0"]');
        if (!row || !row.textContent.includes(words[upsert[0].status])) throw new Error('the patch was not rendered when measured');
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const rows = document.querySelectorAll('[data-test="user-list"] li').length;
        return [stored - started, rendered - started, laidOut - started, rows];
      },
    };
  })();`;
}

export async function measureRendererPatch(
  options: { users?: number; changes?: number; runs?: number } = {},
): Promise<{ patch_ms: number; patch_to_store_ms: number; patch_to_dom_ms: number; frame_budget_ratio: number; rows_in_dom: number; heap_mb: number }> {
  const users = options.users ?? 10_000;
  const changes = options.changes ?? 1_000;
  const runs = options.runs ?? 15;
  // The page never talks to it: the bridge is used only to serve the build under the app's CSP.
  const idle: LobbyService = { invoke: async () => ({ ok: true, value: null }), onPatch: () => () => {}, close: async () => {} };
  let bridge: Awaited<ReturnType<typeof startBridge>> | null = null;
  const browser = await launchRendererBrowser({ logLevel: 'silent' });
  const { context } = browser;
  try {
    bridge = await startBridge(browser.rendererDir, idle);
    const page = await context.newPage();
    await page.addInitScript(benchShim(users));
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(bridge.url);
    await page.locator('[data-test="topbar-user-count"]').filter({ hasText: String(users) }).waitFor();
    await page.locator('[data-test="nav-people"]').click();
    await page.locator('[data-test="user-list"] li').first().waitFor();
    const stored: number[] = [];
    const rendered: number[] = [];
    const laidOut: number[] = [];
    let rows = 0;
    for (let run = 0; run < runs + 3; run++) {
      type Bench = { __bench: { measure(r: number, n: number): Promise<[number, number, number, number]> } };
      const measured = await page.evaluate(({ run, changes }) => (globalThis as unknown as Bench).__bench.measure(run, changes), { run, changes });
      const [toStore, toDom, toLayout, rowsNow] = measured as [number, number, number, number];
      if (run < 3) continue; // the first runs warm up the JIT
      stored.push(toStore);
      rendered.push(toDom);
      laidOut.push(toLayout);
      rows = Math.max(rows, rowsNow);
    }
    // The patches really reached the list: a changed user on screen shows its last status.
    const shown = await page.locator('[data-test="user-u0"]').textContent();
    if (!shown || problems.length > 0) throw new Error(`renderer bench: the list did not render (${problems.join('; ')})`);
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const median = (list: number[]) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? NaN;
    const laidOutMs = median(laidOut);
    return {
      patch_ms: round(laidOutMs, 3),
      patch_to_store_ms: round(median(stored), 3),
      patch_to_dom_ms: round(median(rendered), 3),
      frame_budget_ratio: round(laidOutMs / FRAME_BUDGET_MS, 3),
      rows_in_dom: rows,
      heap_mb: round(heap.usedSize / (1024 * 1024)),
    };
  } finally {
    await bridge?.close();
    await browser.dispose();
  }
}

function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

// `node --import tsx test/bench/renderer.ts` runs it alone.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  console.log(JSON.stringify(await measureRendererPatch()));
}
