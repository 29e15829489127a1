// Settings behind their interface, on conf (electron-store's base) in a temp dir: defaults, round trip, schema refusal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { afterEach, describe, expect, it } from 'vitest';
import { SETTINGS_DEFAULTS, SETTINGS_SCHEMA, createSettingsStore, type ConfLike } from '../../src-main/electron/settings';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(dir: string): ConfLike {
  return new Conf({ projectName: 'tachyon-lobby-test', cwd: dir, schema: SETTINGS_SCHEMA, defaults: SETTINGS_DEFAULTS }) as unknown as ConfLike;
}

describe('settings store (conf)', () => {
  it('starts with defaults and keeps changes across instances', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lobby-settings-'));
    dirs.push(dir);
    const store = createSettingsStore(open(dir));
    expect(store.get()).toEqual({ serverUrl: null, enginePaths: [], dataDir: null });
    store.update({ serverUrl: 'https://lobby.example', enginePaths: ['/opt/recoil'] });
    expect(createSettingsStore(open(dir)).get()).toEqual({ serverUrl: 'https://lobby.example', enginePaths: ['/opt/recoil'], dataDir: null });
    store.update({ serverUrl: null });
    expect(createSettingsStore(open(dir)).get().serverUrl).toBeNull();
  });

  it('refuses values the schema does not allow', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lobby-settings-'));
    dirs.push(dir);
    const store = createSettingsStore(open(dir));
    expect(() => store.update({ enginePaths: [42 as unknown as string] })).toThrow();
  });
});
