// The main process with `electron` mocked, on real files: the window comes first, a lobby that cannot start is shown with
// why, TACHYON_TOKEN is never stored, the sign-in store's no-keyring notice reaches the page, and quitting ends.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { AppSnapshot, IpcResult, SnapshotResult } from '../../src-main/contract';
import { INVOKE_CHANNEL } from '../../src-main/contract';
import { waitFor } from '../support/world';

const electron = vi.hoisted(() => {
  type Handler = (...args: unknown[]) => unknown;
  const listeners = new Map<string, Handler[]>();
  const emit = (name: string, ...args: unknown[]) => {
    for (const handler of listeners.get(name) ?? []) handler(...args);
  };
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let markEnded: (how: string) => void = () => {};
  const ended = new Promise<string>((resolve) => (markEnded = resolve));
  const state = { userData: '', windows: [] as { loaded: string[] }[], ipc: new Map<string, Handler>(), exits: [] as number[], markReady, ended };
  const app = {
    isPackaged: true,
    requestSingleInstanceLock: () => true,
    on(name: string, handler: Handler) {
      listeners.set(name, [...(listeners.get(name) ?? []), handler]);
      return app;
    },
    whenReady: () => ready,
    getPath: () => state.userData,
    // Like Electron: quit() asks `before-quit`, which may prevent it; exit() ends at once.
    quit() {
      const event = { prevented: false, preventDefault() {
        this.prevented = true;
      } };
      emit('before-quit', event);
      if (!event.prevented) markEnded('quit');
    },
    exit(code: number) {
      state.exits.push(code);
      markEnded(`exit ${code}`);
    },
    emit,
  };
  const frame = { url: 'app://lobby/index.html' };
  class BrowserWindow {
    loaded: string[] = [];
    webContents = {
      mainFrame: frame,
      on() {},
      setWindowOpenHandler() {},
      session: { setPermissionRequestHandler() {}, setPermissionCheckHandler() {} },
      isDestroyed: () => false,
      send() {},
    };
    constructor() {
      state.windows.push(this);
    }
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
    once() {}
    on() {}
    show() {}
    isDestroyed = () => false;
  }
  // Linux without a keyring: encryption "available" through Chromium's built-in key.
  const safeStorage = {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'basic_text',
    encryptString: (s: string) => Buffer.from(s, 'utf8'),
    decryptString: (b: Buffer) => b.toString('utf8'),
  };
  return {
    state,
    frame,
    module: {
      app,
      BrowserWindow,
      safeStorage,
      shell: { openExternal: async () => {} },
      protocol: { registerSchemesAsPrivileged() {}, handle() {} },
      ipcMain: {
        handle: (channel: string, handler: Handler) => state.ipc.set(channel, handler),
        removeHandler: (channel: string) => state.ipc.delete(channel),
      },
    },
  };
});
vi.mock('electron', () => ({ ...electron.module, default: electron.module }));
// electron-store is conf plus Electron's own paths and a renderer channel; the real package loads the real `electron` (no
// binary here), so main gets conf itself under the same options.
vi.mock('electron-store', async () => {
  const { default: Conf } = await import('conf');
  return { default: class extends Conf { constructor(options: { name?: string } & ConstructorParameters<typeof Conf>[0]) { super({ ...options, configName: options.name }); } } };
});

const userData = mkdtempSync(path.join(tmpdir(), 'lobby-main-'));
electron.state.userData = userData;
afterAll(() => rmSync(userData, { recursive: true, force: true }));

async function invoke(name: string, payload: unknown = null): Promise<IpcResult<unknown>> {
  const handler = electron.state.ipc.get(INVOKE_CHANNEL);
  if (!handler) throw new Error('no invoke handler');
  const event = { senderFrame: electron.frame, sender: { mainFrame: electron.frame } };
  return (await handler(event, name, payload)) as IpcResult<unknown>;
}
async function snapshot(): Promise<AppSnapshot> {
  const result = await invoke('snapshot');
  if (!result.ok) throw new Error(result.message);
  return (result.value as SnapshotResult).state;
}

describe('main process', () => {
  it('shows a window with why local play could not start, and never stores TACHYON_TOKEN', async () => {
    // The default data directory is a file: local play cannot start (a real failure, not a stand-in).
    writeFileSync(path.join(userData, 'data'), 'not a folder');
    process.env.TACHYON_TOKEN = 'tok_env_0123456789';
    await import('../../src-main/electron/main');
    expect(electron.state.windows).toHaveLength(0);
    electron.state.markReady();
    await waitFor('the window', () => electron.state.windows.length === 1);
    expect(electron.state.windows[0]!.loaded).toEqual(['app://lobby/index.html']);

    const state = await snapshot();
    expect(state.connection).toMatchObject({ phase: 'closed', message: expect.stringMatching(/^Local play could not start: EEXIST: .*data'/) });
    expect(state.notices.map((n) => n.level)).toEqual(['error']);
    expect(await invoke('queue', { queues: ['1v1'] })).toMatchObject({ ok: false, code: 'not_available', message: expect.stringContaining('EEXIST') });

    // Taken out of the environment, not written anywhere (no server was set for it, so it is dropped).
    expect(process.env.TACHYON_TOKEN).toBeUndefined();
    expect(existsSync(path.join(userData, 'session.bin'))).toBe(false);
  });

  it("tells the player sign-ins are kept for this run only when safeStorage has only Chromium's built-in key", async () => {
    const added = await invoke('addServer', { url: 'http://127.0.0.1:9' });
    // The lobby for it cannot be built either (same data folder), and says so; the server list and session are there.
    expect(added).toMatchObject({ ok: false, code: 'not_available' });
    const state = await snapshot();
    expect(state.session).toMatchObject({ state: 'signed_out', server: 'http://127.0.0.1:9', storageNotice: expect.stringMatching(/no keyring/) });
    expect(existsSync(path.join(userData, 'auth', 'refresh-tokens.bin'))).toBe(false);
  });

  it('writes its log privately, one JSON line per message, without the token', () => {
    const log = path.join(userData, 'logs', 'main.log');
    expect(statSync(path.join(userData, 'logs')).mode & 0o777).toBe(0o700);
    expect(statSync(log).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(userData, 'settings.json')).mode & 0o777).toBe(0o600);
    const text = readFileSync(log, 'utf8');
    expect(text).toContain('TACHYON_TOKEN ignored');
    expect(text).not.toContain('tok_env_0123456789');
  });

  it('quits when the window closes: the lobby is closed in order and the process ends', async () => {
    electron.module.app.emit('window-all-closed');
    expect(await electron.state.ended).toBe('quit');
    expect(electron.state.exits).toEqual([]);
    expect(electron.state.ipc.has(INVOKE_CHANNEL)).toBe(false);
    const lines = readFileSync(path.join(userData, 'logs', 'main.log'), 'utf8').trim().split('\n');
    expect(lines.every((line) => typeof (JSON.parse(line) as { msg: unknown }).msg === 'string')).toBe(true);
    expect(lines.some((line) => line.includes('building the lobby failed'))).toBe(true);
  });
});
