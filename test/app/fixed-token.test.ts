// TACHYON_TOKEN in the app: held in memory for the server the app started on, never sent to another server, gone after sign-out.
// Real peers: the embedded server for the token's own server, a plain HTTP upgrade listener on 127.0.0.1 as the other one.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSnapshot } from '../../src-main/contract';
import { createMemoryLogger } from '../../src-main/core/log';
import { takeFixedToken } from '../../src-main/app/fixed-token';
import { createLobbyFactory } from '../../src-main/app/lobby-factory';
import { createLobbyService, type LobbyService } from '../../src-main/app/lobby-service';
import { createMemorySettingsStore } from '../../src-main/app/settings';
import { startServer } from '../auth/support';
import { createRecordingSignInService } from '../support/app-service';
import { recordLog, recordSecrets } from '../support/secret-ledger';
import { waitFor } from '../support/world';
import { controlsOf } from '../support/server-controls';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

const logger = createMemoryLogger();
afterEach(() => recordLog(logger.lines.splice(0)));

async function snapshotOf(service: LobbyService): Promise<AppSnapshot> {
  const result = await service.invoke('snapshot', null);
  if (!result.ok) throw new Error(result.message);
  return (result.value as { state: AppSnapshot }).state;
}

/** Another server: records the headers of every WebSocket upgrade it is sent, and refuses it. */
async function upgradeRecorder(): Promise<{ baseUrl: string; upgrades: IncomingHttpHeaders[] }> {
  const upgrades: IncomingHttpHeaders[] = [];
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket) => {
    upgrades.push(req.headers);
    socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, upgrades };
}

describe('fixed token from the environment', () => {
  it('is taken out of the environment, checked as a bearer token, and bound to the start server', () => {
    const env: NodeJS.ProcessEnv = { TACHYON_TOKEN: 'tok_bound_0123456789' };
    const fixed = takeFixedToken(env, 'https://lobby.example/some/path', logger);
    expect(env.TACHYON_TOKEN).toBeUndefined();
    expect(fixed.forServer('https://lobby.example')).toBe('tok_bound_0123456789');
    expect(fixed.forServer('https://other.example')).toBeNull();
    expect(fixed.forServer('http://lobby.example')).toBeNull();
    expect(fixed.forServer('https://lobby.example:8443')).toBeNull();
    fixed.clear();
    expect(fixed.forServer('https://lobby.example')).toBeNull();

    const forged = takeFixedToken({ TACHYON_TOKEN: 'tok_forged\r\nX-Evil: 1' }, 'https://lobby.example', logger);
    expect(forged.forServer('https://lobby.example')).toBeNull();
    const local = takeFixedToken({ TACHYON_TOKEN: 'tok_local_0123456789' }, null, logger);
    expect(local.forServer('https://lobby.example')).toBeNull();
    expect(logger.lines.filter((l) => l.includes('TACHYON_TOKEN ignored'))).toHaveLength(2);
    expect(logger.lines.join('\n')).not.toContain('tok_');
  });

  it('is never sent to another server the player chooses, and sign-out disconnects and forgets it', async () => {
    const home = await startServer();
    cleanups.push(() => home.close());
    const { userId, token } = home.addPlayer('alice');
    recordSecrets(token);
    const frames: string[] = [];
    const stopFrames = controlsOf(home).onFrame((from, text) => from === userId && frames.push(text));
    cleanups.push(() => void stopFrames());
    const other = await upgradeRecorder();
    const dir = mkdtempSync(path.join(tmpdir(), 'lobby-fixed-token-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

    const fixed = takeFixedToken({ TACHYON_TOKEN: token }, home.baseUrl, logger);
    const service = await createLobbyService({
      settings: createMemorySettingsStore({ serverUrl: home.baseUrl }),
      createApp: createLobbyFactory({
        defaultDataDir: dir,
        readToken: (url) => fixed.forServer(url),
        logger,
        localPlayerName: 'Local',
        engineBinary: 'headless',
      }),
      auth: await createRecordingSignInService(dir, []),
      forgetFixedToken: () => fixed.clear(),
      logError: (m) => logger.error(m),
    });
    cleanups.push(() => service.close());
    // The page's view of the connection, from the patch feed (waitFor probes are synchronous).
    let phase = (await snapshotOf(service)).connection.phase;
    service.onPatch(({ patch }) => {
      if (patch.slice === 'connection') phase = patch.value.phase;
      if (patch.slice === 'reset') phase = patch.value.connection.phase;
    });
    await waitFor('connected to its own server', () => phase === 'connected');

    // The player adds and chooses another server: the lobby there has no token and does not knock.
    expect(await service.invoke('addServer', { url: other.baseUrl })).toMatchObject({ ok: true, value: { current: other.baseUrl } });
    expect((await snapshotOf(service)).connection).toMatchObject({ serverUrl: other.baseUrl, phase: 'idle' });

    // Back home the token works again (its own origin); then sign-out with no login session disconnects and forgets it.
    expect(await service.invoke('chooseServer', { id: home.baseUrl })).toMatchObject({ ok: true });
    await waitFor('connected again at home', () => phase === 'connected');
    expect(await service.invoke('signOut', null)).toEqual({ ok: true, value: { revoked: false } });
    expect(frames.some((text) => text.includes('"system/disconnect"'))).toBe(true);
    const after = await snapshotOf(service);
    expect(after.connection).toMatchObject({ serverUrl: home.baseUrl, phase: 'idle' });
    expect(after.session).toMatchObject({ state: 'signed_out', server: home.baseUrl });

    // Whatever the other server was sent, none of it carried the token.
    expect(other.upgrades.filter((headers) => JSON.stringify(headers).includes(token))).toEqual([]);
    expect(logger.lines.join('\n')).not.toContain(token);
  });
});
