// The answer to `matchmaking/checkAssets` over the real queue-ready checks, download manager and files client against the
// local content server: a map on disk is complete; one the server has is downloading until installed, then complete; one
// nobody has is downloading, then missing once (with the words), and asked again it is tried again; a kind this lobby
// cannot fetch at all is missing at once, and nothing is downloaded.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AssetCheck, ContentReadiness, DownloadManager, FilesClient, filesFetcher, type ContentFetchers } from '../../src-main/core/content';
import { writeTestContent } from '../../src-main/core/engine';
import type { DownloadsView } from '../../src-main/shared/downloads-view';
import { startContentServer, type ContentServer } from '../support/content-server';
import { waitFor } from '../support/world';

let server: ContentServer;
let root: string;
beforeEach(async () => {
  server = await startContentServer();
  root = await mkdtemp(path.join(os.tmpdir(), 'asset-check-'));
});
afterEach(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

async function checker(fetchers?: ContentFetchers) {
  const installed = await writeTestContent(path.join(root, 'installed'), { format: 'sdz', gameName: 'Check Game', mapName: 'Here Map' });
  const dir = path.join(root, 'downloads');
  let view: DownloadsView = { items: [] };
  const files = new FilesClient({ dataDir: dir, filesApi: `${server.url}/find`, retryDelayMs: 10 });
  const manager = new DownloadManager({ dir, throttleMs: 0, publish: (v) => { view = v; }, fetchers: fetchers ?? { map: filesFetcher(files, 'map') } });
  const readiness = new ContentReadiness({ manager, dataDirs: async () => [dir, installed.dir], hasEngine: async (version) => version === '106.0' });
  return { check: new AssetCheck(readiness, manager), downloads: () => view.items };
}

const needs = (map: string) => ({ engines: ['106.0'], games: ['Check Game'], maps: [map] });

describe('AssetCheck', () => {
  it('is complete for what is installed, and downloading for a map the content server has until it is installed', async () => {
    const source = await writeTestContent(path.join(root, 'published'), { format: 'sdz', gameName: 'Other Game', mapName: 'Far Map' });
    server.publishFile('map', 'Far Map', 'far_map.sdz', await readFile(source.mapPath));
    const { check, downloads } = await checker();
    expect(await check.answer(needs('Here Map'), 'for playlist Duel')).toEqual({ status: 'complete' });
    expect(await check.answer(needs('Far Map'), 'for playlist Duel')).toEqual({ status: 'downloading' });
    await waitFor('the map installed', () => downloads()[0]?.state === 'done', 20_000);
    expect(await check.answer(needs('Far Map'), 'for playlist Duel')).toEqual({ status: 'complete' });
    expect(downloads()).toEqual([expect.objectContaining({ kind: 'map', name: 'Far Map', reasons: ['for playlist Duel'] })]);
  });

  it('says missing once a download failed, with its words, and tries again when asked again', async () => {
    const { check, downloads } = await checker();
    expect(await check.answer(needs('Nowhere Map'), 'for playlist Duel')).toEqual({ status: 'downloading' });
    await waitFor('the download failed', () => downloads()[0]?.state === 'failed', 20_000);
    expect(await check.answer(needs('Nowhere Map'), 'for playlist Duel')).toEqual({
      status: 'missing', problem: 'map "Nowhere Map" could not be downloaded: the files API knows no map "Nowhere Map"',
    });
    expect(await check.answer(needs('Nowhere Map'), 'for playlist Duel')).toEqual({ status: 'downloading' });
    await waitFor('the second try failed', () => server.requests.filter((r) => r.url.startsWith('/find')).length === 2 && downloads()[0]?.state === 'failed', 20_000);
  });

  it('is missing at once for an engine or map this lobby has no way to fetch, and fetches nothing', async () => {
    const { check, downloads } = await checker({});
    expect(await check.answer({ engines: ['107.0'], games: ['Check Game'], maps: ['Nowhere Map'] }, 'for playlist Duel')).toEqual({
      status: 'missing', problem: 'this lobby cannot download engine "107.0", map "Nowhere Map"',
    });
    expect(downloads()).toEqual([]);
    expect(server.requests).toEqual([]);
  });
});
