// The app shell's engine wiring: content in `<dataDir>/content`, runs under the data dir, the GL client by default.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineRegistry } from '../../src-main/core/engine';
import { appEngineOptions, contentDirOf, localPlayerName } from '../../src-main/electron/lobby-factory';

describe('lobby factory', () => {
  it('wires the engine from the settings and the data dir', async () => {
    const options = appEngineOptions({ enginePaths: ['/nowhere/engine'], dataDir: '/data', contentDirs: ['/more'] });
    expect(options.binary).toBe('client');
    expect(options.contentDirs).toEqual([path.join('/data', 'content'), '/more']);
    expect(options.runner?.tempBase).toBe(path.join('/data', 'engine-runs'));
    const registry = await options.registry;
    expect(registry).toBeInstanceOf(EngineRegistry);
    // A configured folder without an engine is reported, not thrown.
    expect(registry.problems.join('\n')).toContain('/nowhere/engine');
    expect(contentDirOf('/d')).toBe(path.join('/d', 'content'));
    expect(appEngineOptions({ enginePaths: [], dataDir: '/d', binary: 'headless' }).binary).toBe('headless');
  });

  it('makes a player name the embedded server accepts', () => {
    expect(localPlayerName('jörg smith')).toBe('jrgsmith');
    expect(localPlayerName('…')).toBe('Player');
  });
});
