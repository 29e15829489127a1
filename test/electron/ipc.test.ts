// The main-side IPC wrapper with a stand-in ipcMain: only our top frame may invoke; patches reach live windows only.
import { describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNEL, PATCH_CHANNEL, type PatchMessage } from '../../src-main/contract';
import { registerLobbyIpc } from '../../src-main/electron/ipc';
import type { LobbyService } from '../../src-main/app/lobby-service';

function fakeService() {
  let listener: ((m: PatchMessage) => void) | null = null;
  const invoke = vi.fn(async () => ({ ok: true as const, value: null }));
  const service: LobbyService = {
    invoke,
    onPatch: (l) => {
      listener = l;
      return () => (listener = null);
    },
    close: async () => {},
  };
  return { service, invoke, emit: (m: PatchMessage) => listener?.(m), hasListener: () => listener !== null };
}

function setup() {
  const handlers = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  const ipcMain = {
    handle: (channel: string, h: (...args: unknown[]) => Promise<unknown>) => void handlers.set(channel, h),
    removeHandler: (channel: string) => void handlers.delete(channel),
  };
  const { service, invoke, emit, hasListener } = fakeService();
  const sent: unknown[] = [];
  const live = { isDestroyed: () => false, send: (channel: string, m: unknown) => sent.push([channel, m]) };
  const dead = { isDestroyed: () => true, send: () => sent.push('dead') };
  const stop = registerLobbyIpc({ ipcMain: ipcMain as never, service, targets: () => [live, dead] as never });
  return { handlers, invoke, emit, hasListener, sent, stop };
}

const mainFrame = (url: string) => {
  const frame = { url };
  return { senderFrame: frame, sender: { mainFrame: frame } };
};

describe('lobby IPC wrapper', () => {
  it('passes our page top frame through', async () => {
    const { handlers, invoke } = setup();
    const result = await handlers.get(INVOKE_CHANNEL)!(mainFrame('app://lobby/index.html'), 'ready', null);
    expect(result).toEqual({ ok: true, value: null });
    expect(invoke).toHaveBeenCalledWith('ready', null);
  });

  it('refuses other origins, subframes and missing frames', async () => {
    const { handlers, invoke } = setup();
    const handle = handlers.get(INVOKE_CHANNEL)!;
    const subframe = { senderFrame: { url: 'app://lobby/index.html' }, sender: { mainFrame: { url: 'app://lobby/index.html' } } };
    for (const event of [mainFrame('https://evil.example/'), mainFrame('file:///index.html'), mainFrame('app://other/index.html'), subframe, { senderFrame: null, sender: { mainFrame: null } }]) {
      expect(await handle(event, 'ready', null)).toMatchObject({ ok: false, code: 'forbidden_sender' });
    }
    expect(invoke).not.toHaveBeenCalled();
  });

  it('feeds patches to live windows and unregisters cleanly', () => {
    const { emit, sent, stop, handlers, hasListener } = setup();
    const message: PatchMessage = { seq: 1, patch: { slice: 'self', value: null } };
    emit(message);
    expect(sent).toEqual([[PATCH_CHANNEL, message]]);
    stop();
    expect(handlers.size).toBe(0);
    expect(hasListener()).toBe(false);
  });
});
