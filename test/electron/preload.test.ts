// The preload with `electron` mocked: exposes exactly { invoke, onPatch } as `lobby`, refuses non-contract names, never passes the event on.
import { describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNEL, PATCH_CHANNEL } from '../../src-main/contract';

const electron = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  const invoked: unknown[][] = [];
  return {
    exposed,
    listeners,
    invoked,
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        invoked.push(args);
        return { ok: true, value: null };
      },
      on(channel: string, l: (...args: unknown[]) => void) {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(l);
      },
      removeListener(channel: string, l: (...args: unknown[]) => void) {
        listeners.get(channel)?.delete(l);
      },
    },
  };
});
vi.mock('electron', () => ({ contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer }));

await import('../../src-main/preload/index');

type Exposed = { invoke(name: unknown, payload?: unknown): Promise<unknown>; onPatch(l: (m: unknown) => void): () => void };

describe('preload', () => {
  it('exposes exactly invoke and onPatch on window.lobby', () => {
    expect([...electron.exposed.keys()]).toEqual(['lobby']);
    expect(Object.keys(electron.exposed.get('lobby') as object).sort()).toEqual(['invoke', 'onPatch']);
  });

  it('forwards contract names only', async () => {
    const lobby = electron.exposed.get('lobby') as Exposed;
    expect(await lobby.invoke('ready')).toEqual({ ok: true, value: null });
    expect(await lobby.invoke('shell.openExternal', 'x')).toMatchObject({ ok: false, code: 'unknown_intent' });
    expect(await lobby.invoke('hasOwnProperty')).toMatchObject({ ok: false, code: 'unknown_intent' });
    expect(electron.invoked).toEqual([[INVOKE_CHANNEL, 'ready', null]]);
  });

  it('hands the listener the message only, and unsubscribes', () => {
    const lobby = electron.exposed.get('lobby') as Exposed;
    const got: unknown[][] = [];
    const off = lobby.onPatch((...args) => got.push(args));
    const message = { seq: 1, patch: { slice: 'self', value: null } };
    for (const l of electron.listeners.get(PATCH_CHANNEL)!) l({ sender: 'the electron event' }, message);
    expect(got).toEqual([[message]]);
    off();
    expect(electron.listeners.get(PATCH_CHANNEL)!.size).toBe(0);
  });
});
