// Main's settings check: the core's server address rules in words, engine folders and the data dir on a real temp file system.
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IntentError } from '../../src-main/core/lobby/intents';
import { checkContentAddress, checkDataDir, checkEnginePaths, checkServerAddress, checkSettingsChange } from '../../src-main/app/settings-check';
import { DEFAULT_CONTENT_ADDRESSES } from '../../src-main/contract';
import { DEFAULT_FILES_API, DEFAULT_RAPID_MASTER } from '../../src-main/core/content';
import { createLobbyService } from '../../src-main/app/lobby-service';
import { createMemorySettingsStore } from '../../src-main/app/settings';
import { initialSnapshot } from '../../src-main/core/lobby/state';
import type { LobbyIntents } from '../../src-main/core/lobby/intents';
import { createFixedTokenSignIn } from '../support/fixed-sign-in';

const base = mkdtempSync(path.join(tmpdir(), 'lobby-settings-check-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function refusal(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(IntentError);
    expect((error as IntentError).code).toBe('invalid_input');
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('settings check', () => {
  it('accepts https anywhere and plain http only for this computer', async () => {
    expect(checkServerAddress(' https://lobby.example ')).toBe('https://lobby.example');
    expect(checkServerAddress('http://127.0.0.1:8200')).toBe('http://127.0.0.1:8200');
    expect(checkServerAddress('http://localhost:8200/')).toBe('http://localhost:8200/');
    expect(checkServerAddress('http://[::1]:8200')).toBe('http://[::1]:8200');
    expect(await refusal(() => checkServerAddress('http://lobby.example'))).toMatch(/only allowed for this computer/);
    expect(await refusal(() => checkServerAddress('lobby.example'))).toMatch(/not a web address/);
    expect(await refusal(() => checkServerAddress('ftp://lobby.example'))).toMatch(/must start with https/);
    expect(await refusal(() => checkServerAddress('ws://127.0.0.1:8200'))).toMatch(/must start with https/);
    expect(await refusal(() => checkServerAddress('https://me:pw@lobby.example'))).toMatch(/user name or password/);
  });

  it('wants engine folders as full paths of existing folders', async () => {
    const engine = path.join(base, 'engine');
    mkdirSync(engine);
    const file = path.join(base, 'file');
    writeFileSync(file, '');
    expect(await checkEnginePaths([engine, `${engine}/`, ` ${engine} `])).toEqual([engine]);
    expect(await refusal(() => checkEnginePaths(['relative/engine']))).toMatch(/not a full path/);
    expect(await refusal(() => checkEnginePaths([path.join(base, 'missing')]))).toMatch(/does not exist/);
    expect(await refusal(() => checkEnginePaths([file]))).toMatch(/a file, not a folder/);
  });

  it('refuses engine, data and content folders other users can change, or that belong to another user', async () => {
    const shared = path.join(base, 'shared-engine');
    mkdirSync(shared);
    chmodSync(shared, 0o775);
    expect(await refusal(() => checkEnginePaths([shared]))).toMatch(/can be changed by other users/);
    chmodSync(shared, 0o757);
    expect(await refusal(() => checkEnginePaths([shared]))).toMatch(/can be changed by other users/);
    chmodSync(shared, 0o755);
    expect(await checkEnginePaths([shared])).toEqual([shared]);

    const data = path.join(base, 'shared-data');
    mkdirSync(path.join(data, 'content'), { recursive: true });
    chmodSync(path.join(data, 'content'), 0o777);
    expect(await refusal(() => checkDataDir(data))).toMatch(/^Content folder .* can be changed by other users/);
    chmodSync(path.join(data, 'content'), 0o700);
    chmodSync(data, 0o770);
    expect(await refusal(() => checkDataDir(data))).toMatch(/^Data directory .* can be changed by other users/);
    chmodSync(data, 0o700);
    expect(await checkDataDir(data)).toBe(data);

    // Not this user's and not root's: as root a folder is handed to another uid; otherwise a system folder is root's, so allowed.
    if (process.getuid?.() === 0) {
      const foreign = path.join(base, 'foreign-engine');
      mkdirSync(foreign, { mode: 0o755 });
      chownSync(foreign, 54_321, 54_321);
      expect(await refusal(() => checkEnginePaths([foreign]))).toMatch(/belongs to another user/);
    } else {
      expect(await checkEnginePaths(['/usr'])).toEqual(['/usr']);
    }
  });

  it('creates a missing data directory and refuses a file or a relative path', async () => {
    const dir = path.join(base, 'data', 'nested');
    expect(await checkDataDir(dir)).toBe(dir);
    expect(existsSync(dir)).toBe(true);
    writeFileSync(path.join(base, 'plain'), '');
    expect(await refusal(() => checkDataDir(path.join(base, 'plain')))).toMatch(/a file, not a folder/);
    expect(await refusal(() => checkDataDir('data'))).toMatch(/not a full path/);
    expect(await checkSettingsChange({ serverUrl: null, dataDir: null })).toEqual({ serverUrl: null, dataDir: null });
  });

  it('is applied by the service: a refused address or folder changes nothing and says why', async () => {
    let builds = 0;
    const service = await createLobbyService({
      settings: createMemorySettingsStore(),
      auth: createFixedTokenSignIn(),
      createApp: async () => {
        builds += 1;
        return { snapshot: () => initialSnapshot(), onPatch: () => () => {}, intents: {} as LobbyIntents, close: async () => {} };
      },
    });
    // Adding a server checks its address before anything else, even before asking for the sign-in service.
    const result = await service.invoke('addServer', { url: 'http://lobby.example' });
    expect(result).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(result.ok ? '' : result.message).toMatch(/only allowed for this computer/);
    expect(builds).toBe(1);
    expect(await service.invoke('updateSettings', { dataDir: 'data' })).toMatchObject({ ok: false, code: 'invalid_input', message: expect.stringMatching(/not a full path/) });
    expect(builds).toBe(1);
    const dataDir = path.join(base, 'service-data');
    expect(await service.invoke('updateSettings', { dataDir })).toMatchObject({ ok: true, value: { dataDir } });
    expect(builds).toBe(2);
    await service.close();
  });
});

describe('content addresses', () => {
  it('takes https anywhere and http only for this computer; null is the production address, the same in the contract as in the core', async () => {
    expect(checkContentAddress(' https://repos.example/repos.gz ', 'rapid master address')).toBe('https://repos.example/repos.gz');
    expect(checkContentAddress('http://127.0.0.1:8123/find', 'files API address')).toBe('http://127.0.0.1:8123/find');
    const refused = (value: string) => { try { checkContentAddress(value, 'rapid master address'); return ''; } catch (e) { return (e as IntentError).message; } };
    expect(refused('http://repos.example/repos.gz')).toBe('Plain http:// is only allowed for this computer. Use https:// for the rapid master address.');
    expect(refused('https://u:p@repos.example/repos.gz')).toBe('The rapid master address must not contain a user name or password.');
    expect(refused('https://repos.example/repos.gz?x=1')).toBe('The rapid master address must not have a query (?…) or fragment (#…).');
    expect(refused('ftp://repos.example/')).toBe('The rapid master address must start with https:// (or http:// for this computer).');
    expect(await checkSettingsChange({ rapidMaster: null, filesApi: 'https://files.example/find' })).toEqual({ rapidMaster: null, filesApi: 'https://files.example/find' });
    expect(DEFAULT_CONTENT_ADDRESSES).toEqual({ rapidMaster: DEFAULT_RAPID_MASTER, filesApi: DEFAULT_FILES_API });
  });
});
