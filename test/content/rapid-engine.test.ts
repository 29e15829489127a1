// The real engine plays the game our rapid client installed on the tiny map as a .sd7: a content dir with only
// packages/, pool/, rapid/ (from the client) and maps/<map>.sd7 — no games/ — both named by the content check from their
// info files, and Debian's spring-dedicated and spring-headless play a short battle from it.
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentArchiveReaders, RapidClient } from '../../src-main/core/content';
import { ContentScanCache } from '../../src-main/core/engine/content-cache';
import { checkContent } from '../../src-main/core/engine/content-check';
import { EngineRegistry } from '../../src-main/core/engine/engine-registry';
import { TEST_GAME_NAME, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine/test-content';
import { packFolder } from '../support/rapid-packer';
import { pack7z } from '../support/seven-zip-pack';
import { useSoloBattleSuite } from '../support/solo-battle';

const ENGINE = '/usr/games/spring-dedicated';
const suite = useSoloBattleSuite('rapid-engine-');

describe.skipIf(!existsSync(ENGINE) || !existsSync('/usr/games/spring-headless'))('a rapid-installed game and a .sd7 map on the real engine (Debian spring 106)', () => {
  it('are found by the content check and played from packages/, pool/ and maps/*.sd7 to game over', async () => {
    // One second of play; the versions.gz name is the game's modinfo name, as BAR's are.
    const source = await writeTestContent(path.join(suite.root(), 'source'), { gameOverFrame: 30 });
    suite.server().publish('byar', 'byar:test', TEST_GAME_NAME, await packFolder(source.gamePath));
    const contentDir = path.join(suite.root(), 'content');
    const installed = await new RapidClient({ dataDir: contentDir, master: suite.server().masterUrl }).install('rapid://byar:test');
    expect(installed.name).toBe(TEST_GAME_NAME);
    // The map as maps are shipped: a non-solid 7-Zip archive whose file name is not its spring name.
    await mkdir(path.join(contentDir, 'maps'), { recursive: true });
    await pack7z(source.mapPath, path.join(contentDir, 'maps', 'tiny_1.0.sd7'), { solid: false });
    expect((await readdir(contentDir)).sort()).toEqual(['maps', 'packages', 'pool', 'rapid']);

    const check = await checkContent({ dataDirs: [contentDir], gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME, readers: contentArchiveReaders });
    expect(check).toMatchObject({ ok: true, game: { format: 'sdp', nameFrom: 'info' }, map: { format: 'sd7', nameFrom: 'info' } });

    const { host } = await suite.playSolo({
      battleId: '00000000-0000-4000-8000-000000000001',
      password: 'rapid-pw-1',
      contentDir,
      launch: { registry: await EngineRegistry.discover(), contentDirs: [contentDir], content: new ContentScanCache({ readers: contentArchiveReaders }) },
    });
    expect(host.events.map((e) => e.type)).toContain('start_playing');
  }, 60_000);
});
