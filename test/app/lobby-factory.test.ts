// The app shell's engine wiring: content in `<dataDir>/content`, runs under the data dir, the GL client by default.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineRegistry } from '../../src-main/core/engine';
import { silentLogger } from '../../src-main/core/log';
import { appEngineOptions, contentDirOf, createLobbyFactory, localPlayerName } from '../../src-main/app/lobby-factory';
import { waitFor } from '../support/world';

describe('lobby factory', () => {
  it('wires the engine from the settings and the data dir', async () => {
    const options = appEngineOptions({ enginePaths: ['/nowhere/engine'], dataDir: '/data', contentDirs: ['/more'] });
    expect(options.binary).toBe('client');
    expect(options.contentDirs).toEqual([path.join('/data', 'content'), '/more']);
    expect(options.runner?.tempBase).toBe(path.join('/data', 'engine-runs'));
    // The player's demos are kept beside the local host's: one replays folder per profile.
    expect(options.runner?.replaysDir).toBe(path.join('/data', 'replays'));
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

describe('lobby factory, private folders', () => {
  it('makes the data and engine-run folders 0700 even when they already exist with looser modes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lobby-factory-'));
    try {
      const dataDir = path.join(dir, 'data');
      mkdirSync(path.join(dataDir, 'engine-runs'), { recursive: true });
      chmodSync(dataDir, 0o755);
      chmodSync(path.join(dataDir, 'engine-runs'), 0o777);
      // A remote server with no token: the lobby is built but does not connect anywhere.
      const factory = createLobbyFactory({ defaultDataDir: dataDir, readToken: () => null, logger: silentLogger, localPlayerName: 'Newcomer' });
      const app = await factory({ serverUrl: 'https://lobby.example', enginePaths: [], dataDir: null });
      expect(app.snapshot().connection.phase).toBe('idle');
      await app.close();
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(dataDir, 'engine-runs')).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lobby factory, embedded server', () => {
  it('with no address configured, starts the local server on 127.0.0.1 and connects to it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lobby-factory-'));
    const factory = createLobbyFactory({ defaultDataDir: dir, readToken: () => null, logger: silentLogger, localPlayerName: 'Newcomer' });
    const app = await factory({ serverUrl: null, enginePaths: [], dataDir: null });
    try {
      await waitFor('connected to the local server', () => app.snapshot().connection.phase === 'connected', 10_000);
      const snap = app.snapshot();
      expect(new URL(snap.connection.serverUrl).hostname).toBe('127.0.0.1');
      expect(snap.self?.username).toBe('Newcomer');
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
