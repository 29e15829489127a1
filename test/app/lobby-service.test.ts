// The transport-independent half of the IPC wrapper: validation without values, errors as stable codes, sequenced patches, settings rebuilds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LobbyPatch, PatchMessage, SnapshotResult } from '../../src-main/contract';
import { IntentError, type LobbyApp, type LobbyIntents } from '../../src-main/core/lobby/intents';
import { initialSnapshot } from '../../src-main/core/lobby/state';
import { createLobbyService } from '../../src-main/app/lobby-service';
import { createMemorySettingsStore } from '../../src-main/app/settings';
import { createFixedTokenSignIn } from '../support/fixed-sign-in';

/** A stand-in lobby that records calls; the real core is exercised by the browser tests. */
function recordingApp(serverUrl: string) {
  const calls: string[] = [];
  const listeners = new Set<(p: LobbyPatch) => void>();
  let closed = false;
  const intents = new Proxy({} as LobbyIntents, {
    get: (_t, name: string) => async (...args: unknown[]) => {
      calls.push(`${name}(${JSON.stringify(args)})`);
      if (name === 'ready') throw new IntentError('rejected', 'The match is gone.', 'no_match');
      if (name === 'cancelQueue') throw new Error('/home/someone/secret path exploded');
      if (name === 'openReplaysFolder') await (args[0] as (folder: string) => Promise<void>)('/data/replays');
    },
  });
  const app: LobbyApp & { calls: string[]; emit(p: LobbyPatch): void; isClosed(): boolean } = {
    calls,
    snapshot: () => initialSnapshot(serverUrl),
    onPatch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    intents,
    async close() {
      closed = true;
    },
    emit: (p) => listeners.forEach((l) => l(p)),
    isClosed: () => closed,
  };
  return app;
}

async function setup(openPath?: (folder: string) => Promise<void>) {
  const apps: ReturnType<typeof recordingApp>[] = [];
  const errors: string[] = [];
  const service = await createLobbyService({
    settings: createMemorySettingsStore(),
    auth: createFixedTokenSignIn(),
    createApp: async (settings) => {
      const app = recordingApp(settings.serverUrl ?? 'embedded');
      apps.push(app);
      return app;
    },
    logError: (m) => errors.push(m),
    ...(openPath ? { openPath } : {}),
  });
  return { service, apps, errors };
}

describe('lobby service', () => {
  it('dispatches valid payloads to the core', async () => {
    const { service, apps } = await setup();
    expect(await service.invoke('queue', { queues: ['1v1'] })).toEqual({ ok: true, value: null });
    expect(await service.invoke('sendChat', { target: { type: 'player', userId: 'u2' }, text: 'gg' })).toEqual({ ok: true, value: null });
    expect(await service.invoke('sendChat', { target: { type: 'lobby' }, text: 'gl' })).toEqual({ ok: true, value: null });
    expect(apps[0]!.calls).toEqual(['queue([["1v1"]])', 'sendChat([{"type":"player","userId":"u2"},"gg"])', 'sendChat([{"type":"lobby"},"gl"])']);
    await service.close();
  });

  it('passes a pass-through intent to the core method of its name: the checked payload as it is, or nothing for none', async () => {
    const { service, apps } = await setup();
    expect(await service.invoke('joinAllyTeam', { allyTeam: '1' })).toEqual({ ok: true, value: null });
    expect(await service.invoke('leaveLobby', null)).toEqual({ ok: true, value: null });
    expect(await service.invoke('joinAllyTeam', { allyTeam: '1', extra: 'x' })).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(apps[0]!.calls).toEqual(['joinAllyTeam([{"allyTeam":"1"}])', 'leaveLobby([])']);
    await service.close();
  });

  it('hands the replays intents to the core, and the folder the core names to the shell to open', async () => {
    const opened: string[] = [];
    const { service, apps } = await setup(async (folder) => void opened.push(folder));
    expect(await service.invoke('refreshReplays', null)).toEqual({ ok: true, value: null });
    expect(await service.invoke('watchReplay', { file: 'a.sdfz' })).toEqual({ ok: true, value: null });
    expect(await service.invoke('deleteReplay', { file: 'a.sdfz' })).toEqual({ ok: true, value: null });
    expect(await service.invoke('openReplaysFolder', null)).toEqual({ ok: true, value: null });
    expect(apps[0]!.calls).toEqual(['refreshReplays([])', 'watchReplay(["a.sdfz"])', 'deleteReplay(["a.sdfz"])', 'openReplaysFolder([null])']);
    expect(opened).toEqual(['/data/replays']);
    await service.close();
    // Without a shell that opens folders (the browser bridge), the intent says so and the core is not asked.
    const bare = await setup();
    expect(await bare.service.invoke('openReplaysFolder', null)).toMatchObject({ ok: false, code: 'not_available' });
    expect(bare.apps[0]!.calls).toEqual([]);
    await bare.service.close();
  });

  it('names failing paths, never values', async () => {
    const { service, apps } = await setup();
    const result = await service.invoke('sendChat', { target: { type: 'player', userId: 42 }, text: 'SECRET-VALUE', evil: 'SECRET-KEY-VALUE' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('invalid_input');
    expect(result.message).toContain('/target');
    expect(result.message).not.toContain('SECRET');
    expect(result.message).not.toContain('42');
    expect(apps[0]!.calls).toEqual([]);
    await service.close();
  });

  it('refuses unknown intents, including prototype names', async () => {
    const { service } = await setup();
    for (const name of ['deleteEverything', 'constructor', '__proto__', 42, null]) {
      expect(await service.invoke(name, null)).toMatchObject({ ok: false, code: 'unknown_intent' });
    }
    await service.close();
  });

  it('turns core errors into stable codes and hides unexpected ones', async () => {
    const { service, errors } = await setup();
    expect(await service.invoke('ready', undefined)).toEqual({ ok: false, code: 'rejected', message: 'The match is gone.', reason: 'no_match' });
    const hidden = await service.invoke('cancelQueue', null);
    expect(hidden).toMatchObject({ ok: false, code: 'internal' });
    expect(JSON.stringify(hidden)).not.toContain('secret path');
    expect(errors.join('\n')).toContain('secret path');
    await service.close();
  });

  it('numbers patches so a snapshot and the feed line up', async () => {
    const { service, apps } = await setup();
    const seen: PatchMessage[] = [];
    service.onPatch((m) => seen.push(m));
    apps[0]!.emit({ slice: 'stats', userCount: 3, sample: { at: 1, userCount: 3 } });
    const snap = await service.invoke('snapshot', null);
    apps[0]!.emit({ slice: 'stats', userCount: 4, sample: { at: 2, userCount: 4 } });
    expect(snap).toMatchObject({ ok: true, value: { seq: 1 } });
    expect(seen.map((m) => m.seq)).toEqual([1, 2]);
    await service.close();
  });

  it('rebuilds the lobby when a setting changes and sends one reset', async () => {
    const { service, apps } = await setup();
    const seen: PatchMessage[] = [];
    service.onPatch((m) => seen.push(m));
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lobby-service-'));
    try {
      const result = await service.invoke('updateSettings', { dataDir });
      expect(result).toEqual({ ok: true, value: { serverUrl: null, enginePaths: [], dataDir, rapidMaster: null, filesApi: null } });
      expect(apps).toHaveLength(2);
      expect(apps[0]!.isClosed()).toBe(true);
      expect(seen.map((m) => m.patch.slice)).toEqual(['settings', 'reset']);
      const reset = seen[1]!.patch;
      expect(reset.slice === 'reset' && reset.value.settings.dataDir).toBe(dataDir);
      // The server is chosen through the server intents only (the Servers panel); there is no settings intent for it.
      expect(await service.invoke('setServerAddress', { serverUrl: 'https://lobby.example' })).toMatchObject({ ok: false, code: 'unknown_intent' });
      expect(apps).toHaveLength(2);
      await service.close();
      expect(apps[1]!.isClosed()).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('saves engine folders and data directory together with one rebuild', async () => {
    const { service, apps } = await setup();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lobby-service-'));
    try {
      const result = await service.invoke('updateSettings', { enginePaths: [dataDir], dataDir });
      expect(result).toEqual({ ok: true, value: { serverUrl: null, enginePaths: [dataDir], dataDir, rapidMaster: null, filesApi: null } });
      expect(apps).toHaveLength(2);
      // A field left out stays; `null` returns the data directory to the default.
      expect(await service.invoke('updateSettings', { dataDir: null })).toEqual({ ok: true, value: { serverUrl: null, enginePaths: [dataDir], dataDir: null, rapidMaster: null, filesApi: null } });
      expect(apps).toHaveLength(3);
      // `enginePaths: null` is the same as leaving it out: the folders stay.
      expect(await service.invoke('updateSettings', { enginePaths: null })).toEqual({ ok: true, value: { serverUrl: null, enginePaths: [dataDir], dataDir: null, rapidMaster: null, filesApi: null } });
      // A field the page may send as null is still checked when it is not null, and named by its path.
      const refused = await service.invoke('updateSettings', { enginePaths: [''] });
      expect(refused).toMatchObject({ ok: false, code: 'invalid_input', message: expect.stringContaining('/enginePaths/0') });
      expect(apps).toHaveLength(4);
      await service.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('reports a failed rebuild in the window and tries again on the next change; close still works', async () => {
    const errors: string[] = [];
    let builds = 0;
    const apps: ReturnType<typeof recordingApp>[] = [];
    const service = await createLobbyService({
      settings: createMemorySettingsStore(),
      auth: createFixedTokenSignIn(),
      createApp: async (settings) => {
        builds += 1;
        if (builds === 2) throw new Error('port in use\nat somewhere');
        const app = recordingApp(settings.serverUrl ?? 'embedded');
        apps.push(app);
        return app;
      },
      logError: (m) => errors.push(m),
    });
    const seen: PatchMessage[] = [];
    service.onPatch((m) => seen.push(m));
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lobby-service-'));
    try {
      const failed = await service.invoke('updateSettings', { dataDir });
      expect(failed).toMatchObject({ ok: false, code: 'not_available', message: expect.stringContaining('port in use') });
      expect(builds).toBe(2);
      // The window is told why, on one line, in the reset it gets and in every intent it tries.
      const reset = seen.at(-1)!.patch;
      if (reset.slice !== 'reset') throw new Error(`expected a reset, got ${reset.slice}`);
      expect(reset.value.connection.phase).toBe('closed');
      expect(reset.value.connection.message).toMatch(/^Local play could not start: port in use\./);
      expect(reset.value.notices.map((n) => n.level)).toEqual(['error']);
      expect(await service.invoke('queue', { queues: ['1v1'] })).toMatchObject({ ok: false, code: 'not_available', message: expect.stringContaining('port in use') });
      expect(errors.join('\n')).toContain('port in use');
      // The next change builds again, and succeeds.
      expect(await service.invoke('updateSettings', { dataDir: null })).toMatchObject({ ok: true });
      expect(builds).toBe(3);
      expect(await service.invoke('queue', { queues: ['1v1'] })).toEqual({ ok: true, value: null });
      await service.close();
      expect(apps.at(-1)!.isClosed()).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('opens with the reason when the first build fails', async () => {
    const service = await createLobbyService({
      settings: createMemorySettingsStore(),
      auth: createFixedTokenSignIn(),
      createApp: async () => {
        throw new Error('the local autohost did not connect');
      },
    });
    const snap = await service.invoke('snapshot', null);
    if (!snap.ok) throw new Error(snap.message);
    expect((snap.value as SnapshotResult).state.connection).toMatchObject({ phase: 'closed', message: expect.stringContaining('the local autohost did not connect') });
    await service.close();
  });

  it("with the test's fixed-token sign-in: the current server signed in, the sign-in intents not available, nothing secret accepted", async () => {
    const { service, apps } = await setup();
    const snap = await service.invoke('snapshot', null);
    if (!snap.ok) throw new Error(snap.message);
    const state = (snap.value as SnapshotResult).state;
    expect(state.session).toEqual({ state: 'signed_in', server: 'embedded' });
    expect(state.servers).toEqual({ current: 'embedded', profiles: [{ id: 'embedded', kind: 'embedded', url: null, label: 'This computer', signedIn: false }] });
    for (const name of ['signIn', 'cancelSignIn', 'signOut'] as const) expect(await service.invoke(name, null)).toMatchObject({ ok: false, code: 'not_available' });
    expect(await service.invoke('chooseServer', { id: 'embedded' })).toMatchObject({ ok: false, code: 'not_available' });
    const smuggled = await service.invoke('addServer', { url: 'https://lobby.example', refreshToken: 'rt_SECRET' });
    expect(smuggled).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(JSON.stringify(smuggled)).not.toContain('SECRET');
    expect(await service.invoke('signIn', { serverUrl: 'https://lobby.example' })).toMatchObject({ ok: false, code: 'invalid_input' });
    // `label: null` passes the payload check (it means no label) and reaches the sign-in service, which has none to add.
    expect(await service.invoke('addServer', { url: 'https://lobby.example', label: null })).toMatchObject({ ok: false, code: 'not_available' });
    expect(await service.invoke('addServer', { url: 'https://lobby.example', label: 7 })).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(apps).toHaveLength(1);
    await service.close();
  });
});
