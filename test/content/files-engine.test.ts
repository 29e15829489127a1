// The real engine plays with what the files client installed: an engine archive made from Debian's spring 106 and a map,
// both fetched from the local files API into an empty data dir; the downloaded spring-headless (found by the registry
// by version alone, the system engine left out) joins a spring-dedicated host and plays to game over.
import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FilesClient } from '../../src-main/core/content';
import { EngineRegistry } from '../../src-main/core/engine/engine-registry';
import { TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine/test-content';
import { DEBIAN_DEDICATED, DEBIAN_HEADLESS, makeEngineArchive } from '../support/engine-archive';
import { useSoloBattleSuite } from '../support/solo-battle';

const suite = useSoloBattleSuite('files-engine-');

describe.skipIf(!existsSync(DEBIAN_DEDICATED) || !existsSync(DEBIAN_HEADLESS))('a downloaded engine and map on the real engine (Debian spring 106)', () => {
  it('installs both into an empty data dir and plays a battle with the downloaded spring-headless', async () => {
    const source = await writeTestContent(path.join(suite.root(), 'source'), { gameOverFrame: 30, format: 'sdz' });
    const engine = await makeEngineArchive(path.join(suite.root(), 'engine-work'));
    suite.server().publishFile('engine_linux64', '106.0', 'recoil_106.0_amd64-linux.7z', engine.archive);
    suite.server().publishFile('map', TEST_MAP_NAME, 'tachyon_test_map.sdz', await readFile(source.mapPath));

    const dataDir = path.join(suite.root(), 'data');
    const files = new FilesClient({ dataDir, filesApi: `${suite.server().url}/find` });
    const [installedEngine, installedMap] = await Promise.all([files.installEngine('106.0'), files.installMap(TEST_MAP_NAME)]);
    expect(installedEngine.fetched && installedMap.fetched).toBe(true);
    // The game comes from elsewhere (rapid, in play); here the test game's archive beside the downloaded map.
    await cp(source.gamePath, path.join(dataDir, 'games', path.basename(source.gamePath)), { recursive: true });

    const registry = await EngineRegistry.discover({ downloadDataDirs: [dataDir], includeSystem: false });
    expect(registry.resolve('106.0')).toMatchObject({ source: 'downloaded', dataDir: installedEngine.path });
    const { request } = await suite.playSolo({
      battleId: '00000000-0000-4000-8000-000000000002', password: 'files-pw-1', contentDir: dataDir, launch: { registry, contentDirs: [dataDir] },
    });
    expect(request.engine.binaries.headless).toBe(path.join(installedEngine.path, 'spring-headless'));
  }, 90_000);
});
