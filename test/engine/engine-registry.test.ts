// Installed engines: version parsing, lookup by version (never by path), and the real Debian engine in /usr/games.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineRegistry, UnknownEngineError, parseEngineVersion } from '../../src-main/core/engine/engine-registry';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function fakeEngineDir(binaries: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'engine-registry-'));
  dirs.push(dir);
  for (const name of binaries) {
    await writeFile(path.join(dir, name), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(dir, name), 0o755);
  }
  return dir;
}

describe('parseEngineVersion', () => {
  it.each([
    ['spring-dedicated version 106.0 (Dedicated)\n[gflags::flush_exit]\n', '106.0'],
    ['spring version 106.0\n', '106.0'],
    ['[t=00:00:00.000048]   Spring Engine Version: 106.0 (Dedicated)\n', '106.0'],
    ['spring-headless version 105.1.1-2590-gb9462a0 BAR105 (Headless)\n', '105.1.1-2590-gb9462a0'],
    ['recoil 2025.04.01\n', '2025.04.01'],
    ['2025.04.01\n', '2025.04.01'],
  ])('reads %j as %s', (output, version) => {
    expect(parseEngineVersion(output)).toBe(version);
  });

  it('finds nothing in output without a version', () => {
    expect(parseEngineVersion('')).toBeUndefined();
    expect(parseEngineVersion('error: no such option\n')).toBeUndefined();
  });
});

describe('EngineRegistry lookups', () => {
  it('maps versions to binaries of engine dirs, first dir winning, with the data dir', async () => {
    const a = await fakeEngineDir(['spring', 'spring-headless', 'spring-dedicated']);
    const b = await fakeEngineDir(['spring-headless']);
    const versions = new Map([
      [path.join(a, 'spring-dedicated'), 'spring-dedicated version 2025.04.01 (Dedicated)'],
      [path.join(b, 'spring-headless'), 'spring-headless version 105.1.1 (Headless)'],
    ]);
    const registry = await EngineRegistry.discover({ engineDirs: [a, b], includeSystem: false, runVersion: async (bin) => versions.get(bin) ?? '' });
    expect(registry.versions).toEqual(['2025.04.01', '105.1.1']);
    const engine = registry.resolve('2025.04.01');
    expect(engine.binaries).toEqual({ client: path.join(a, 'spring'), headless: path.join(a, 'spring-headless'), dedicated: path.join(a, 'spring-dedicated') });
    expect(engine.dataDir).toBe(a);
    expect(registry.binary('105.1.1', 'headless')).toBe(path.join(b, 'spring-headless'));
    expect(() => registry.binary('105.1.1', 'client')).toThrow(/no client binary/);
  });

  it('reports dirs without binaries or versions as problems, not engines', async () => {
    const empty = await fakeEngineDir([]);
    const silent = await fakeEngineDir(['spring-dedicated']);
    const registry = await EngineRegistry.discover({ engineDirs: [empty, silent], includeSystem: false, runVersion: async () => 'nothing here' });
    expect(registry.versions).toEqual([]);
    expect(registry.problems).toHaveLength(2);
  });

  it('treats an unknown version as an error naming what is installed', () => {
    const registry = new EngineRegistry([{ version: '106.0', binaries: { headless: '/usr/games/spring-headless' }, dataDir: '/usr/share/games/spring', source: 'system' }]);
    expect(() => registry.resolve('2025.04.01')).toThrow(UnknownEngineError);
    expect(() => registry.resolve('2025.04.01')).toThrow('engine version "2025.04.01" is not installed (installed: 106.0)');
    expect(() => new EngineRegistry([]).resolve('1')).toThrow('no engine is installed');
  });

  it.each(['../106.0', '../../usr/games', '106.0/../106.0', '/usr/games', 'games/spring', '..', '.', '106.0\u0000', '106.0\\..\\x', ''])(
    'finds no engine for the path-like version %j',
    (version) => {
      const registry = new EngineRegistry([{ version: '106.0', binaries: {}, dataDir: '/usr/share/games/spring', source: 'system' }]);
      expect(registry.find(version)).toBeUndefined();
      expect(() => registry.resolve(version)).toThrow(/is not installed \(installed: 106\.0\)/);
    },
  );
});

describe('EngineRegistry on this machine', () => {
  it('takes an explicit binary (--engine) with its siblings and the Debian data dir', async () => {
    const registry = await EngineRegistry.discover({ engineBinaries: ['/usr/games/spring-headless'], includeSystem: false });
    expect(registry.resolve('106.0')).toMatchObject({ dataDir: '/usr/share/games/spring', binaries: { headless: '/usr/games/spring-headless' } });
    const bad = await EngineRegistry.discover({ engineBinaries: ['/usr/bin/env'], includeSystem: false });
    expect(bad.versions).toEqual([]);
    expect(bad.problems).toEqual(['/usr/bin/env: not an executable spring, spring-headless or spring-dedicated']);
  });

  it("finds Debian's spring in /usr/games with its version and three binaries", async () => {
    const registry = await EngineRegistry.discover();
    expect(registry.versions).toContain('106.0');
    const engine = registry.resolve('106.0');
    expect(engine).toMatchObject({
      source: 'system',
      dataDir: '/usr/share/games/spring',
      binaries: { client: '/usr/games/spring', headless: '/usr/games/spring-headless', dedicated: '/usr/games/spring-dedicated' },
    });
    expect(registry.find('../106.0')).toBeUndefined();
  });
});

describe('downloaded engines (<dataDir>/engine/<version>/)', () => {
  it('are found by their folder name, without running them; hidden and path-like folders and folders without a binary are not engines', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'engine-registry-data-'));
    dirs.push(dataDir);
    const make = async (name: string, binaries: string[]) => {
      const dir = path.join(dataDir, 'engine', name);
      await mkdir(dir, { recursive: true });
      for (const binary of binaries) await writeFile(path.join(dir, binary), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
      return dir;
    };
    const recoil = await make('2025.01.6', ['spring', 'spring-headless', 'spring-dedicated']);
    await make('.2025.01.7.0123456789ab.unpack', ['spring-headless']);
    await make('empty', []);
    const configured = await fakeEngineDir(['spring-dedicated']);
    const registry = await EngineRegistry.discover({
      engineDirs: [configured], downloadDataDirs: [dataDir], includeSystem: false, runVersion: async () => 'spring-dedicated version 2025.01.6 (Dedicated)\n',
    });
    // The settings' folder answers for its version first; the downloaded one is found by its folder's name alone.
    expect(registry.versions).toEqual(['2025.01.6']);
    expect(registry.resolve('2025.01.6').source).toBe('directory');
    const alone = await EngineRegistry.discover({ downloadDataDirs: [dataDir], includeSystem: false, runVersion: () => Promise.reject(new Error('not run')) });
    expect(alone.versions).toEqual(['2025.01.6']);
    expect(alone.resolve('2025.01.6')).toMatchObject({
      version: '2025.01.6', source: 'downloaded', dataDir: recoil,
      binaries: { client: path.join(recoil, 'spring'), headless: path.join(recoil, 'spring-headless'), dedicated: path.join(recoil, 'spring-dedicated') },
    });
    expect(alone.problems).toEqual([`${path.join(dataDir, 'engine', 'empty')}: no spring, spring-headless or spring-dedicated binary`]);
    expect(alone.find('../2025.01.6')).toBeUndefined();
  });
});
