// The independent cross-check: Debian's pr-downloader (an rapid client of its own, streamer mode) installs the same
// package from the same local server, and its packages/ and pool/ are byte-identical to ours.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RapidClient } from '../../src-main/core/content';
import type { ContentWorld } from './fixtures';
import { contentWorld, expectInstalled, treeFiles } from './fixtures';

const PR_DOWNLOADER = '/usr/games/pr-downloader';
const run = promisify(execFile);

let world: ContentWorld;
beforeAll(async () => { world = await contentWorld(); });
afterAll(async () => { await world.dispose(); });

/**
 * pr-downloader 106 has its master address built in (repos.springrts.com) but reuses a cached master list younger than a
 * day, so a seeded cache points it at the local server; a non-empty cacert.pem stops it fetching one from the internet.
 */
async function prDownloader(writeDir: string, request: string): Promise<{ code: number; output: string }> {
  const cache = path.join(writeDir, 'rapid', 'repos.springrts.com');
  await mkdir(cache, { recursive: true });
  await writeFile(path.join(cache, 'repos.gz'), zlib.gzipSync(`byar,${world.server.url}/byar,,\n`));
  const now = new Date();
  await utimes(path.join(cache, 'repos.gz'), now, now);
  await writeFile(path.join(writeDir, 'cacert.pem'), 'placeholder: certificates come from /etc/ssl/certs\n');
  const home = path.join(writeDir, 'home');
  await mkdir(home, { recursive: true });
  try {
    const { stdout, stderr } = await run(PR_DOWNLOADER, ['--filesystem-writepath', writeDir, '--download-game', request], {
      env: { PATH: '/usr/bin:/bin', HOME: home }, timeout: 60_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe.skipIf(!existsSync(PR_DOWNLOADER))('Debian pr-downloader as an independent rapid client', () => {
  it('installs the same package from the same server, byte for byte what ours installs', async () => {
    const theirs = world.dataDir('pr-downloader');
    const ours = world.dataDir('ours');
    const prd = await prDownloader(theirs, 'byar:test');
    expect(prd.code, prd.output).toBe(0);
    await new RapidClient({ dataDir: ours, master: world.server.masterUrl }).install('byar:test');
    // It asked for the three files through the streamer; we GET them.
    expect(world.server.requests.some((r) => r.method === 'POST' && r.streamerFiles?.length === 3)).toBe(true);

    const installed = (files: string[]) => files.filter((f) => f.startsWith('packages/') || (f.startsWith('pool/') && f.endsWith('.gz')));
    const theirFiles = installed(await treeFiles(theirs));
    expect(theirFiles).toEqual(installed(await treeFiles(ours)));
    expect(theirFiles).toHaveLength(1 + world.v1.pool.size);
    for (const file of theirFiles) expect((await readFile(path.join(theirs, file))).equals(await readFile(path.join(ours, file))), file).toBe(true);
    expect(await expectInstalled(theirs, world.v1)).toBe(true);
  });

  it('a tampered pool file fails it too (exit 2, no package), as it fails ours', async () => {
    const theirs = world.dataDir();
    const bad = world.v1.files[1]!.md5;
    world.server.faults.tampered.add(bad);
    try {
      const prd = await prDownloader(theirs, 'byar:test');
      expect(prd.code, prd.output).toBe(2);
      expect((await treeFiles(theirs)).filter((f) => f.startsWith('packages/') && f.endsWith('.sdp'))).toEqual([]);
      const ours = new RapidClient({ dataDir: world.dataDir(), master: world.server.masterUrl });
      await expect(ours.install('byar:test')).rejects.toMatchObject({ code: 'corrupt' });
    } finally {
      world.server.faults.tampered.clear();
    }
  });
});
