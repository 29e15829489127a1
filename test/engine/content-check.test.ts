// Content check: games and maps found by their info files in .sdd folders and .sdz zips; what is missing is named.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkContent, scanContent, springNameFromInfo } from '../../src-main/core/engine/content-check';
import { TEST_GAME_NAME, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine/test-content';
import { readZipFile, writeZip } from '../../src-main/core/engine/zip-archive';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'content-check-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('springNameFromInfo', () => {
  it('uses name, plus version unless the name holds it', () => {
    expect(springNameFromInfo('return { name = "Theta Crystals", version = "1.3", modtype = 3 }')).toBe('Theta Crystals 1.3');
    expect(springNameFromInfo("local t = { shortname = 'BAR', name = 'Beyond All Reason test-1', version = 'test-1' } return t")).toBe('Beyond All Reason test-1');
    expect(springNameFromInfo('return { name = [[Long Name]] }')).toBe('Long Name');
    expect(springNameFromInfo('return { shortname = "x" }')).toBeUndefined();
  });
});

describe('checkContent', () => {
  it('finds the test game and map as .sdd folders', async () => {
    await writeTestContent(dir);
    const result = await checkContent({ dataDirs: [dir], gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME });
    expect(result.ok).toBe(true);
    expect(result.missing).toEqual([]);
    expect(result.game).toMatchObject({ kind: 'game', name: TEST_GAME_NAME, format: 'sdd' });
    expect(result.map).toMatchObject({ kind: 'map', name: TEST_MAP_NAME, format: 'sdd' });
  });

  it('finds them as .sdz zips (read with our zip reader)', async () => {
    const content = await writeTestContent(dir, { format: 'sdz' });
    expect((await readZipFile(content.mapPath, 'MAPINFO.LUA'))?.toString()).toContain(`name = "${TEST_MAP_NAME}"`);
    const result = await checkContent({ dataDirs: [dir], gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME });
    expect(result.ok).toBe(true);
    expect(result.game?.format).toBe('sdz');
    expect(result.map?.format).toBe('sdz');
  });

  it('names a missing map, a missing game, or both', async () => {
    await writeTestContent(dir);
    const noMap = await checkContent({ dataDirs: [dir], gameName: TEST_GAME_NAME, mapName: 'Theta Crystals 1.3' });
    expect(noMap).toMatchObject({ ok: false, missing: [{ kind: 'map', name: 'Theta Crystals 1.3' }], message: 'map "Theta Crystals 1.3" is not installed' });
    const noGame = await checkContent({ dataDirs: [dir], gameName: 'Beyond All Reason test-1', mapName: TEST_MAP_NAME });
    expect(noGame.message).toBe('game "Beyond All Reason test-1" is not installed');
    const neither = await checkContent({ dataDirs: [path.join(dir, 'nowhere')], gameName: 'G', mapName: 'M' });
    expect(neither.message).toBe('game "G" and map "M" are not installed');
  });

  it('never uses a name as a path', async () => {
    await writeTestContent(dir);
    for (const name of ['../games/tachyon_test_game.sdd', 'games/tachyon_test_game.sdd', 'tachyon_test_game.sdd', `${dir}/games/tachyon_test_game.sdd`]) {
      expect((await checkContent({ dataDirs: [dir], gameName: name, mapName: TEST_MAP_NAME })).missing).toEqual([{ kind: 'game', name }]);
    }
  });

  it('skips broken archives and an archive of the wrong kind', async () => {
    await mkdir(path.join(dir, 'maps'), { recursive: true });
    await writeFile(path.join(dir, 'maps', 'broken.sdz'), 'not a zip');
    await writeFile(path.join(dir, 'maps', 'game-in-maps.sdz'), writeZip(new Map([['modinfo.lua', Buffer.from('return { name = "Sneaky" }')]])));
    const archives = await scanContent([dir]);
    expect(archives).toEqual([expect.objectContaining({ kind: 'game', name: 'Sneaky' })]);
    expect((await checkContent({ dataDirs: [dir], gameName: 'Sneaky', mapName: 'Sneaky' })).missing).toEqual([{ kind: 'map', name: 'Sneaky' }]);
  });

  it('matches a .sd7 map by its file name, as it cannot be read without 7-Zip', async () => {
    await mkdir(path.join(dir, 'maps'), { recursive: true });
    await writeFile(path.join(dir, 'maps', 'theta_crystals_1.3.sd7'), '7z');
    const result = await checkContent({ dataDirs: [dir], gameName: 'G', mapName: 'Theta Crystals 1.3' });
    expect(result.map).toMatchObject({ format: 'sd7', nameFrom: 'file-name' });
  });

  it("sees the engine's own base content but no game or map in Debian's data dir", async () => {
    const result = await checkContent({ dataDirs: ['/usr/share/games/spring'], gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME });
    expect(result.ok).toBe(false);
    expect(result.missing.map((m) => m.kind)).toEqual(['game', 'map']);
  });
});
