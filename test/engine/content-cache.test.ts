// The content scan behind battle/start: cached while the data dirs stay as they are, one scan for concurrent plans, size-checked info files.
import { chmod, mkdir, mkdtemp, open, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planBattleLaunch } from '../../src-main/core/engine/battle-launch';
import { ContentScanCache } from '../../src-main/core/engine/content-cache';
import { checkContent, scanContent, SCAN_SUBDIRS } from '../../src-main/core/engine/content-check';
import { EngineRegistry } from '../../src-main/core/engine/engine-registry';
import { TEST_GAME_NAME, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine/test-content';

let dir: string;
let contentDir: string;
let registry: EngineRegistry;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'content-cache-'));
  contentDir = path.join(dir, 'content');
  await writeTestContent(contentDir);
  const engineDir = path.join(dir, 'engine');
  await mkdir(engineDir);
  await writeFile(path.join(engineDir, 'spring-headless'), '#!/bin/sh\nexit 0\n');
  await chmod(path.join(engineDir, 'spring-headless'), 0o755);
  registry = await EngineRegistry.discover({ engineDirs: [engineDir], includeSystem: false, runVersion: async () => 'spring-headless version 106.0 (Headless)' });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function battleStart(mapName = TEST_MAP_NAME): BattleStartRequestData {
  return { username: 'alice', password: 'pw', ip: '127.0.0.1', port: 8452, engine: { version: '106.0' }, game: { springName: TEST_GAME_NAME }, map: { springName: mapName } };
}

/** Every dir a scan lists, stamped an hour ago: their mtimes then show the next change for sure. */
async function settle(dataDir: string): Promise<void> {
  const past = new Date(Date.now() - 3_600_000);
  for (const sub of SCAN_SUBDIRS) await utimes(path.join(dataDir, sub), past, past).catch(() => {});
}

function countingCache(now?: () => number): { cache: ContentScanCache; scans: () => number } {
  let scans = 0;
  const cache = new ContentScanCache({
    ...(now ? { now } : {}),
    scan: (dataDirs) => {
      scans++;
      return scanContent(dataDirs);
    },
  });
  return { cache, scans: () => scans };
}

describe('ContentScanCache', () => {
  it('ten concurrent battle/start plans do one scan', async () => {
    const { cache, scans } = countingCache();
    const plans = await Promise.all(Array.from({ length: 10 }, () => planBattleLaunch(battleStart(), { registry, contentDirs: [contentDir], binary: 'headless', content: cache })));
    expect(plans.every((plan) => plan.ok)).toBe(true);
    expect(scans()).toBe(1);
  });

  it('reuses the scan while the dirs are unchanged, and sees a map added since', async () => {
    await settle(contentDir);
    await settle(registry.resolve('106.0').dataDir);
    const { cache, scans } = countingCache();
    const context = { registry, contentDirs: [contentDir], binary: 'headless' as const, content: cache };
    expect(await planBattleLaunch(battleStart('Second Map'), context)).toMatchObject({ ok: false, details: 'map "Second Map" is not installed' });
    expect(await planBattleLaunch(battleStart(), context)).toMatchObject({ ok: true });
    expect(scans()).toBe(1);
    // A map installed the way downloaders do: written elsewhere, then moved in.
    const second = await writeTestContent(path.join(dir, 'download'), { mapName: 'Second Map' });
    await rename(second.mapPath, path.join(contentDir, 'maps', path.basename(second.mapPath)));
    expect(await planBattleLaunch(battleStart('Second Map'), context)).toMatchObject({ ok: true });
    expect(scans()).toBe(2);
  });

  it('keeps no scan of dirs changed too recently for their mtimes to show the next change', async () => {
    // "Now" is just after the content was written, whatever the machine's speed.
    const { mtimeMs } = await stat(path.join(contentDir, 'maps'));
    const { cache, scans } = countingCache(() => mtimeMs + 100);
    const context = { registry, contentDirs: [contentDir], binary: 'headless' as const, content: cache };
    expect(await planBattleLaunch(battleStart(), context)).toMatchObject({ ok: true });
    expect(await planBattleLaunch(battleStart(), context)).toMatchObject({ ok: true });
    expect(scans()).toBe(2);
  });
});

describe('info files are size-checked before they are read', () => {
  it('a 3 GiB modinfo.lua (sparse) is skipped, and the rest of the dir is still found', async () => {
    const huge = path.join(contentDir, 'games', 'huge.sdd');
    await mkdir(huge, { recursive: true });
    const handle = await open(path.join(huge, 'modinfo.lua'), 'w');
    await handle.truncate(3 * 1024 ** 3);
    await handle.close();
    const result = await checkContent({ dataDirs: [contentDir], gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME });
    expect(result.ok).toBe(true);
  });
});
