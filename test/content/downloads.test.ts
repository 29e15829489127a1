// The download manager over the rapid client and the local content server: one list, joins, cancel and retry (only the
// rest is fetched), the disk check, failures in words, queue-ready checks and the capped history.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DownloadsView } from '../../src-main/shared/downloads-view';
import { ContentNotReadyError, ContentReadiness, DownloadError, DownloadManager, RapidClient, rapidGameFetcher } from '../../src-main/core/content';
import type { ContentFetchers, DownloadManagerOptions } from '../../src-main/core/content';
import type { ContentWorld } from './fixtures';
import { contentWorld, expectInstalled, GAME_NAME, poolUrlPath } from './fixtures';

let world: ContentWorld;
beforeEach(async () => { world = await contentWorld(); });
afterEach(async () => { await world.dispose(); });

function managerFor(dir: string, extra: Partial<DownloadManagerOptions> = {}, fetchers?: ContentFetchers) {
  const views: DownloadsView[] = [];
  const rapid = new RapidClient({ dataDir: dir, master: world.server.masterUrl, retryDelayMs: 0 });
  const manager = new DownloadManager({ dir, throttleMs: 0, publish: (v) => views.push(v), fetchers: fetchers ?? { game: rapidGameFetcher(rapid) }, ...extra });
  return { manager, views, last: () => views.at(-1)! };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('the download manager', () => {
  it('fetches a game with its bytes, network speed and reasons, and a second ask joins the same item', async () => {
    const dir = world.dataDir();
    const { manager, views, last } = managerFor(dir);
    const a = manager.ensure('game', 'byar:test', 'for playlist Duel');
    const b = manager.ensure('game', 'byar:test', 'for the battle');
    await Promise.all([a, b]);
    expect(await expectInstalled(dir, world.v1)).toBe(true);
    const total = world.v1.files.reduce((s, f) => s + f.size, 0);
    expect(last().items).toHaveLength(1);
    expect(last().items[0]).toMatchObject({ id: 'd1', kind: 'game', name: 'byar:test', state: 'done', bytesDone: total, bytesTotal: total, reasons: ['for playlist Duel', 'for the battle'] });
    expect(views.some((v) => v.items[0]?.state === 'downloading')).toBe(true);
    // Each pool file once, however many asked.
    expect(world.server.poolRequests()).toHaveLength(world.v1.pool.size);
  });

  it('cancels a running download, and a retry fetches only what is still missing', async () => {
    const dir = world.dataDir();
    const { manager, last } = managerFor(dir);
    const [first] = [...world.v1.pool.keys()];
    const held = poolUrlPath('byar', first!);
    world.server.faults.held.add(held);
    const waiting = manager.ensure('game', 'byar:test', 'for playlist Duel');
    await world.server.waitHeld(held);
    expect(manager.cancel('d1')).toBe(true);
    const error = await rejection(waiting);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).code).toBe('cancelled');
    expect(last().items[0]).toMatchObject({ state: 'cancelled', endedAt: expect.any(Number) });
    expect(last().items[0]!.error).toBeUndefined();
    expect(manager.cancel('d1')).toBe(false);
    world.server.faults.held.clear();
    const present = await Promise.all([...world.v1.pool.keys()].map((md5) => access(path.join(dir, 'pool', md5.slice(0, 2), `${md5.slice(2)}.gz`)).then(() => true, () => false)));
    const missing = [...world.v1.pool.keys()].filter((_, i) => !present[i]).map((md5) => `${md5.slice(0, 2)}/${md5.slice(2)}.gz`);
    expect(missing).toContain(`${first!.slice(0, 2)}/${first!.slice(2)}.gz`);
    const before = world.server.poolRequests().length;
    const done = new Promise<void>((resolve) => {
      const check = setInterval(() => { if (last().items[0]?.state === 'done') { clearInterval(check); resolve(); } }, 20);
    });
    expect(manager.retry('d1')).toBe(true);
    await done;
    expect(await expectInstalled(dir, world.v1)).toBe(true);
    // The files the cancelled run had verified are not fetched again.
    expect(world.server.poolRequests().slice(before).sort()).toEqual(missing.sort());
  });

  it('checks the disk before a large download and says how much it needs', async () => {
    const dir = world.dataDir();
    const { manager, last } = managerFor(dir, { largeBytes: 1, reserveBytes: 0, freeBytes: async () => 10 });
    const error = await rejection(manager.ensure('game', 'byar:test', 'for playlist Duel'));
    expect(error.message).toMatch(/^not enough disk space for byar:test: it needs \d+ bytes and 10 bytes are free$/);
    expect(last().items[0]).toMatchObject({ state: 'failed', error: error.message });
    expect(world.server.poolRequests()).toEqual([]);
  });

  it('fails in words: an unknown package, a server error, a kind it cannot fetch', async () => {
    const dir = world.dataDir();
    const { manager, last } = managerFor(dir);
    expect((await rejection(manager.ensure('game', 'byar:nothing', 'for the battle'))).message).toBe('no rapid package is called "byar:nothing"');
    world.server.faults.status.set('/byar/versions.gz', 404);
    expect((await rejection(manager.ensure('game', 'byar:test', 'for the battle'))).message).toMatch(/versions\.gz/);
    expect((await rejection(manager.ensure('map', 'Some Map', 'for the battle'))).message).toBe('maps cannot be downloaded by this lobby yet');
    expect(last().items.map((i) => i.state)).toEqual(['failed', 'failed', 'failed']);
    expect(last().items.every((i) => typeof i.error === 'string' && i.error.length > 0)).toBe(true);
  });

  it('runs a bounded number at once and keeps a capped history, newest first', async () => {
    let running = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const fetchers: ContentFetchers = {
      map: async (_name, { onProgress }) => {
        running++;
        most = Math.max(most, running);
        onProgress({ phase: 'downloading', bytesDone: 0, bytesTotal: 10, networkBytesPerSecond: 0 });
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
      },
    };
    const { manager, last } = managerFor(world.dataDir(), { concurrency: 2, historyLimit: 3 }, fetchers);
    const all = ['a', 'b', 'c', 'd', 'e'].map((n) => manager.ensure('map', n, 'for playlist Duel'));
    const settleOne = async () => {
      while (releases.length === 0) await new Promise((r) => setTimeout(r, 5));
      releases.shift()!();
    };
    for (let i = 0; i < 5; i++) await settleOne();
    await Promise.all(all);
    expect(most).toBe(2);
    expect(last().items.map((i) => i.name)).toEqual(['e', 'd', 'c']);
    expect(last().items.every((i) => i.state === 'done' && i.bytesDone === 10)).toBe(true);
  });
});

describe('patches', () => {
  it('go out at once for a state change and at most once per throttle period for progress', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let release: () => void = () => undefined;
      const fetchers: ContentFetchers = {
        map: async (_name, { onProgress }) => {
          for (let i = 1; i <= 100; i++) onProgress({ phase: 'downloading', bytesDone: i, bytesTotal: 100, networkBytesPerSecond: 1000 });
          await new Promise<void>((resolve) => { release = resolve; });
        },
      };
      const clock = { t: 1_000 };
      const { manager, views } = managerFor(world.dataDir(), { throttleMs: 250, now: () => clock.t }, fetchers);
      const done = manager.ensure('map', 'Red Comet', 'for the battle');
      await vi.waitFor(() => expect(views.at(-1)?.items[0]?.state).toBe('downloading'));
      // The state changes (queued, downloading) went out; a hundred progress steps wait for the period.
      expect(views.map((v) => v.items[0]!.bytesDone)).toEqual([0, 0]);
      clock.t += 250;
      await vi.advanceTimersByTimeAsync(250);
      expect(views.map((v) => v.items[0]!.bytesDone)).toEqual([0, 0, 100]);
      release();
      await done;
      expect(views.at(-1)!.items[0]).toMatchObject({ state: 'done', bytesDone: 100 });
      expect(views).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('queue-ready checks', () => {
  it('fetches only what is missing, once, and names what failed', async () => {
    const dir = world.dataDir();
    const { manager } = managerFor(dir);
    const readiness = new ContentReadiness({ manager, dataDirs: async () => [dir], hasEngine: async (v) => v === '106.0' });
    expect(await readiness.missing({ engines: ['106.0'], games: [`${GAME_NAME} test-1`], maps: [] })).toEqual([{ kind: 'game', name: `${GAME_NAME} test-1` }]);
    await readiness.ensure({ engines: ['106.0'], games: [`${GAME_NAME} test-1`], maps: [] }, 'for playlist Duel');
    expect(await readiness.missing({ engines: ['106.0'], games: [`${GAME_NAME} test-1`], maps: [] })).toEqual([]);
    const requests = world.server.requests.length;
    expect(await readiness.ensure({ engines: ['106.0'], games: [`${GAME_NAME} test-1`], maps: [] }, 'for playlist Duel')).toEqual([]);
    expect(world.server.requests.length).toBe(requests);
    const error = await rejection(readiness.ensure({ engines: ['999.0'], games: [], maps: ['Nowhere'] }, 'for the battle'));
    expect(error).toBeInstanceOf(ContentNotReadyError);
    expect(error.message).toBe('engine "999.0" could not be downloaded: engines cannot be downloaded by this lobby yet; map "Nowhere" could not be downloaded: maps cannot be downloaded by this lobby yet');
  });
});
