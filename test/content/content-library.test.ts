// The Library over real files: installed rapid games with their sizes, a delete that keeps pool files another package
// shares, and content the lobby did not install listed but never deleted.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentLibrary, RapidClient } from '../../src-main/core/content';
import { writeTestContent } from '../../src-main/core/engine';
import type { LibraryView } from '../../src-main/shared/downloads-view';
import type { ContentWorld } from './fixtures';
import { contentWorld, expectInstalled, GAME_NAME } from './fixtures';

let world: ContentWorld;
beforeEach(async () => { world = await contentWorld(); });
afterEach(async () => { await world.dispose(); });

async function sizeOfPool(dir: string, md5s: Iterable<string>): Promise<number> {
  let total = 0;
  for (const md5 of md5s) total += (await stat(path.join(dir, 'pool', md5.slice(0, 2), `${md5.slice(2)}.gz`))).size;
  return total;
}

describe('the content library', () => {
  it('lists games with their bytes on disk and deletes one, keeping the pool files another package shares', async () => {
    const dir = world.dataDir();
    const other = world.dataDir('shared');
    const shared = await writeTestContent(other, { format: 'sdz' });
    world.server.publish('byar', 'byar:next', `${GAME_NAME} test-2`, world.v2);
    const rapid = new RapidClient({ dataDir: dir, master: world.server.masterUrl });
    await rapid.install('byar:test');
    await rapid.install('byar:next');
    const views: LibraryView[] = [];
    const library = new ContentLibrary({
      dir,
      otherDirs: [other],
      engines: async () => [{ version: '106.0', dir: null, source: 'system' }],
      publish: (v) => views.push(v),
    });
    const listed = await library.refresh();
    expect(views[0]).toMatchObject({ scanning: true });
    expect(views.at(-1)).toEqual(listed);
    const v1 = listed.entries.find((e) => e.name === `${GAME_NAME} test-1`)!;
    const sdpBytes = (await stat(path.join(dir, 'packages', `${world.v1.md5}.sdp`))).size;
    expect(v1).toEqual({ id: expect.stringMatching(/^game:\d+$/), kind: 'game', name: `${GAME_NAME} test-1`, bytes: sdpBytes + (await sizeOfPool(dir, world.v1.pool.keys())), format: 'rapid package', deletable: true });
    expect(listed.entries.find((e) => e.kind === 'engine')).toMatchObject({ name: '106.0', deletable: false, bytes: 0, format: 'system engine' });
    const foreign = listed.entries.filter((e) => e.kind === 'map' || (e.kind === 'game' && e.format === '.sdz archive'));
    expect(foreign.map((e) => e.name).sort()).toEqual([shared.gameName, shared.mapName].sort());
    expect(foreign.every((e) => !e.deletable && e.bytes > 0)).toBe(true);

    expect(await library.delete(foreign[0]!.id)).toBe(false);
    expect(await library.delete('game:999')).toBe(false);
    expect(await library.delete(v1.id)).toBe(true);
    expect(await readdir(path.join(dir, 'packages'))).toEqual([`${world.v2.md5}.sdp`]);
    expect(await expectInstalled(dir, world.v2)).toBe(true);
    const onlyV1 = [...world.v1.pool.keys()].filter((m) => !world.v2.pool.has(m));
    expect(onlyV1.length).toBeGreaterThan(0);
    for (const md5 of onlyV1) await expect(stat(path.join(dir, 'pool', md5.slice(0, 2), `${md5.slice(2)}.gz`))).rejects.toThrow();
    expect(library.view().entries.map((e) => e.name)).not.toContain(`${GAME_NAME} test-1`);
    expect(library.view().entries.map((e) => e.name)).toContain(`${GAME_NAME} test-2`);
  });
});
