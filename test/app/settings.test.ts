// Settings behind their interface, on conf (electron-store's base) in a temp dir: defaults, round trip, schema refusal, a hand-edited file re-checked.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { afterEach, describe, expect, it } from 'vitest';
import type { SnapshotResult } from '../../src-main/contract';
import type { LobbyIntents } from '../../src-main/core/lobby/intents';
import { initialSnapshot } from '../../src-main/core/lobby/state';
import { createLobbyService } from '../../src-main/app/lobby-service';
import { SETTINGS_DEFAULTS, SETTINGS_SCHEMA, createSettingsStore, type ConfLike } from '../../src-main/app/settings';
import { createFixedTokenSignIn } from '../support/fixed-sign-in';

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
    expect(store.get()).toEqual({ serverUrl: null, enginePaths: [], dataDir: null, rapidMaster: null, filesApi: null });
    store.update({ serverUrl: 'https://lobby.example', enginePaths: ['/opt/recoil'] });
    expect(createSettingsStore(open(dir)).get()).toEqual({ serverUrl: 'https://lobby.example', enginePaths: ['/opt/recoil'], dataDir: null, rapidMaster: null, filesApi: null });
    store.update({ serverUrl: null });
    expect(createSettingsStore(open(dir)).get().serverUrl).toBeNull();
  });

  it('refuses values the schema does not allow', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lobby-settings-'));
    dirs.push(dir);
    const store = createSettingsStore(open(dir));
    expect(() => store.update({ enginePaths: [42 as unknown as string] })).toThrow();
  });

  it('re-checks what it reads back: a hand-edited entry that fails the checks is dropped, and the player told', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lobby-settings-'));
    dirs.push(dir);
    const engine = path.join(dir, 'engine');
    mkdirSync(engine, { mode: 0o755 });
    const conf = open(dir);
    createSettingsStore(conf).update({ enginePaths: [engine] });
    // Edited by hand, in shapes the schema allows: a relative engine folder, a missing one, a relative data dir, plain http far away.
    const file = (conf as unknown as { path: string }).path;
    const edited = { ...JSON.parse(readFileSync(file, 'utf8')), serverUrl: 'http://lobby.example', enginePaths: ['engines', engine, path.join(dir, 'gone')], dataDir: 'data' };
    writeFileSync(file, JSON.stringify(edited));
    const settings = createSettingsStore(open(dir));
    const built: unknown[] = [];
    const service = await createLobbyService({
      settings,
      auth: createFixedTokenSignIn(),
      createApp: async (view) => {
        built.push(view);
        return { snapshot: () => initialSnapshot(), onPatch: () => () => {}, intents: {} as LobbyIntents, close: async () => {} };
      },
    });
    // The lobby was built with what passed only, and that is what is stored now.
    expect(built).toEqual([{ serverUrl: null, enginePaths: [engine], dataDir: null, rapidMaster: null, filesApi: null }]);
    expect(createSettingsStore(open(dir)).get()).toEqual({ serverUrl: null, enginePaths: [engine], dataDir: null, rapidMaster: null, filesApi: null });
    const snap = await service.invoke('snapshot', null);
    if (!snap.ok) throw new Error(snap.message);
    const notices = (snap.value as SnapshotResult).state.notices.map((n) => `${n.level}: ${n.text}`);
    expect(notices).toEqual([
      expect.stringMatching(/^warning: The saved server address was not used: Plain http:\/\/ is only allowed/),
      expect.stringMatching(/^warning: A saved engine folder was dropped: Engine folder "engines" is not a full path/),
      expect.stringMatching(/^warning: A saved engine folder was dropped: Engine folder ".*gone" does not exist/),
      expect.stringMatching(/^warning: The saved data directory was not used \(the default is\): Data directory "data" is not a full path/),
    ]);
    await service.close();
  });
});
