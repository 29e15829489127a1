// The service the window talks to while the lobby starts: intents wait for it, a failed start answers why, a late one after quit is closed.
import { describe, expect, it } from 'vitest';
import type { IpcResult, PatchMessage } from '../../src-main/contract';
import type { LobbyService } from '../../src-main/app/lobby-service';
import { createStartingService } from '../../src-main/app/starting-service';

function answering(): LobbyService & { closed: boolean; emit(message: PatchMessage): void } {
  const listeners = new Set<(message: PatchMessage) => void>();
  return {
    closed: false,
    invoke: async (name) => ({ ok: true, value: name }) as IpcResult<unknown>,
    onPatch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      this.closed = true;
    },
    emit: (message) => listeners.forEach((l) => l(message)),
  };
}

describe('starting service', () => {
  it('holds intents until the lobby is up, then passes them and its patches on', async () => {
    const starting = createStartingService();
    const seen: PatchMessage[] = [];
    starting.onPatch((m) => seen.push(m));
    const early = starting.invoke('snapshot', null);
    const real = answering();
    starting.ready(real);
    expect(await early).toEqual({ ok: true, value: 'snapshot' });
    real.emit({ seq: 1, patch: { slice: 'stats', userCount: 1, sample: { at: 1, userCount: 1 } } });
    expect(seen.map((m) => m.seq)).toEqual([1]);
    await starting.close();
    expect(real.closed).toBe(true);
  });

  it('answers every intent with why the start failed', async () => {
    const starting = createStartingService();
    const early = starting.invoke('snapshot', null);
    starting.failed('The lobby could not start: servers.json is a folder.');
    const refusal = { ok: false, code: 'not_available', message: 'The lobby could not start: servers.json is a folder.' };
    expect(await early).toEqual(refusal);
    expect(await starting.invoke('queue', { queues: ['1v1'] })).toEqual(refusal);
    await starting.close();
  });

  it('closes a lobby that finishes starting after the app began to quit', async () => {
    const starting = createStartingService();
    const early = starting.invoke('snapshot', null);
    await starting.close();
    expect(await early).toMatchObject({ ok: false, code: 'not_available' });
    const late = answering();
    starting.ready(late);
    expect(late.closed).toBe(true);
  });
});
