// Every autohost request of the Tachyon autohost protocol against the LocalAutohost on the real spring-dedicated, sent by the embedded server
// over a real WebSocket, failures included.
import { chmod, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AutohostStartRequestData } from 'tachyon-protocol/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalAutohost } from '../../src-main/core/autohost';
import { EngineRegistry } from '../../src-main/core/engine';
import { RequestFailedError } from '../../src-main/core/protocol/endpoint';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { alive, battleData, createRawPeer, createWorld, ENGINE_VERSION, expectIncreasingTimes, newBattleId, serverUpdates, waitFor, type AutohostWorld } from './support';
import { controlsOf } from '../support/server-controls';

let world: AutohostWorld;

beforeAll(async () => {
  world = await createWorld();
});

afterAll(async () => {
  await world?.close();
});

const alice = { userId: 'u-alice', name: 'Alice', password: 'alice-pw-73915' };
const bob = { userId: 'u-bob', name: 'Bob', password: 'bob-pw-28461' };

async function failure(promise: Promise<unknown>): Promise<{ reason: string; details?: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RequestFailedError) return { reason: error.reason, ...(error.details !== undefined ? { details: error.details } : {}) };
    throw error;
  }
  throw new Error('the request succeeded');
}

describe.sequential('LocalAutohost requests on the real engine', () => {
  it('sends autohost/status on connect with the installed engine', () => {
    expect(world.server.autohosts.statusOf(world.clientId)).toEqual({ maxBattles: 3, currentBattles: 0, availableEngines: [ENGINE_VERSION] });
  });

  let battle: AutohostStartRequestData;

  it('start: answers {ips, port} after the engine\'s first packet, one 0700 directory with a 0600 script and the settings', async () => {
    battle = battleData([alice, bob], { spectators: [{ userId: 'u-carol', name: 'Carol', password: 'carol-pw-5521' }] });
    const before = performance.now();
    const answer = await world.endpoint().call('autohost/start', battle);
    const ms = performance.now() - before;
    console.log(`[timing] autohost/start request → answer: ${ms.toFixed(1)} ms; ${world.logger.lines.find((l) => l.includes('is up on port'))}`);
    expect(answer.ips).toEqual(['127.0.0.1']);
    expect(answer.port).toBeGreaterThanOrEqual(1024);
    const dirs = await readdir(world.battlesDir);
    expect(dirs).toHaveLength(1);
    const dir = path.join(world.battlesDir, dirs[0]!);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, 'script.txt'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'springsettings.cfg'))).isFile()).toBe(true);
    expect(world.autohost.enginePid(battle.battleId)).toBeGreaterThan(0);
    await waitFor(() => world.server.autohosts.statusOf(world.clientId)?.currentBattles === 1, 5_000, 'status with one battle');
    expect(world.autohost.hostedBattle(battle.battleId)).toMatchObject({ phase: 'starting', port: answer.port, players: [{ name: 'Alice', spectator: false }, { name: 'Bob' }, { name: 'Carol', spectator: true }] });
  });

  it('start: the same battle again is battle_already_exists (also spelled in upper case)', async () => {
    expect(await failure(world.endpoint().call('autohost/start', battle))).toMatchObject({ reason: 'battle_already_exists' });
    expect(await failure(world.endpoint().call('autohost/start', { ...battle, battleId: battle.battleId.toUpperCase() }))).toMatchObject({ reason: 'battle_already_exists' });
  });

  it('start: an engine that is not installed is engine_version_not_available, naming what is', async () => {
    for (const engineVersion of ['2025.01.5', '106', '106.0 ', '106.0.0']) {
      const result = await failure(world.endpoint().call('autohost/start', { ...battleData([alice]), engineVersion }));
      expect(result.reason).toBe('engine_version_not_available');
      expect(result.details).toContain('available: 106.0');
    }
  });

  it('start: hostile start data is invalid_request and never reaches a script or a directory', async () => {
    const hostile: Array<[string, Partial<AutohostStartRequestData>]> = [
      ['name with ;', { allyTeams: [{ teams: [{ players: [{ ...alice, name: 'x;IsHost=1' }] }] }] }],
      ['name that closes the section', { allyTeams: [{ teams: [{ players: [{ ...alice, name: 'x}[GAME]{HostIP=10.0.0.1' }] }] }] }],
      ['password with a newline', { allyTeams: [{ teams: [{ players: [{ ...alice, password: 'pw\nIsHost=1' }] }] }] }],
      ['name with a comment', { allyTeams: [{ teams: [{ players: [{ ...alice, name: 'a//b' }] }] }] }],
      ['name with a space', { allyTeams: [{ teams: [{ players: [{ ...alice, name: 'Alice Smith' }] }] }] }],
      ['game option key clash', { gameOptions: { team: '1', Team: '2' } }],
      ['start delay below zero', { startDelay: -36461103 }],
      ['duplicate names', { allyTeams: [{ teams: [{ players: [alice] }] }, { teams: [{ players: [{ ...bob, name: 'Alice' }] }] }] }],
      // Valid for JavaScript, but a backreference has no linear-time matcher: a server's pattern must not stall the autohost.
      ['luamsgRegexp with a backreference', { luamsgRegexp: '^(a+)\\1$' }],
    ];
    for (const [what, change] of hostile) {
      const result = await failure(world.endpoint().call('autohost/start', { ...battleData([alice]), ...change }));
      expect(result.reason, what).toBe('invalid_request');
      expect(result.details ?? '', what).not.toMatch(/IsHost=1|10\.0\.0\.1/);
    }
    expect(await readdir(world.battlesDir)).toHaveLength(1);
  });

  it('addPlayer: a new spectator (/adduser), a new password for a known player, and refusals', async () => {
    const endpoint = world.endpoint();
    await endpoint.call('autohost/addPlayer', { battleId: battle.battleId, userId: 'u-dave', name: 'Dave', password: 'dave-pw-9042' });
    expect(world.autohost.hostedBattle(battle.battleId)?.players.at(-1)).toMatchObject({ userId: 'u-dave', name: 'Dave', playerNumber: 3, spectator: true });
    await endpoint.call('autohost/addPlayer', { battleId: battle.battleId, userId: 'u-alice', name: 'Alice', password: 'alice-new-pw' });
    expect(world.autohost.hostedBattle(battle.battleId)?.players).toHaveLength(4);
    const refused: Array<[string, { userId: string; name: string; password: string }]> = [
      ['known userId, other name', { userId: 'u-alice', name: 'Alicia', password: 'x' }],
      ['name taken by another user', { userId: 'u-eve', name: 'bob', password: 'x' }],
      ['injection in the name', { userId: 'u-eve', name: 'Eve;IsHost=1', password: 'x' }],
      ['space in the name', { userId: 'u-eve', name: 'Eve kick Alice', password: 'x' }],
      ['space in the password', { userId: 'u-eve', name: 'Eve', password: 'two words' }],
      ['empty password', { userId: 'u-eve', name: 'Eve', password: '' }],
      ['comment in the password', { userId: 'u-eve', name: 'Eve', password: 'a//b' }],
    ];
    for (const [what, player] of refused) {
      const result = await failure(endpoint.call('autohost/addPlayer', { battleId: battle.battleId, ...player }));
      expect(result.reason, what).toBe('invalid_request');
      expect(result.details ?? '', what).not.toContain(player.password || '\u0000');
    }
    expect(world.autohost.hostedBattle(battle.battleId)?.players).toHaveLength(4);
  });

  it('kickPlayer, mutePlayer, specPlayers: known players succeed, unknown ones are invalid_request', async () => {
    const endpoint = world.endpoint();
    const battleId = battle.battleId;
    await endpoint.call('autohost/mutePlayer', { battleId, userId: 'u-bob', chat: true, draw: false });
    await endpoint.call('autohost/specPlayers', { battleId, userIds: ['u-alice', 'u-bob'] });
    await endpoint.call('autohost/kickPlayer', { battleId, userId: 'u-dave' });
    expect(await failure(endpoint.call('autohost/kickPlayer', { battleId, userId: 'u-nobody' }))).toEqual({ reason: 'invalid_request', details: 'player not in battle' });
    expect(await failure(endpoint.call('autohost/mutePlayer', { battleId, userId: 'u-nobody', chat: false, draw: false }))).toMatchObject({ reason: 'invalid_request' });
    expect(await failure(endpoint.call('autohost/specPlayers', { battleId, userIds: ['u-alice', 'u-nobody'] }))).toMatchObject({ reason: 'invalid_request' });
  });

  it('sendCommand: recoil-autohost\'s rules for the command and its arguments', async () => {
    const endpoint = world.endpoint();
    const battleId = battle.battleId;
    await endpoint.call('autohost/sendCommand', { battleId, command: 'forcestart' });
    await endpoint.call('autohost/sendCommand', { battleId, command: 'setmaxspeed', arguments: ['2'] });
    await endpoint.call('autohost/sendCommand', { battleId, command: 'say_to-all', arguments: ['x', 'last argument may have spaces'] });
    const refused: Array<[string, { command: string; arguments?: string[] }]> = [
      ['upper case command', { command: 'Kick', arguments: ['Alice'] }],
      ['space in the command', { command: 'kick Alice' }],
      ['leading slash', { command: '/kill' }],
      ['empty command', { command: '' }],
      ['whitespace in a non-last argument', { command: 'mute', arguments: ['Alice Bob', '1', '1'] }],
      ['comment marker', { command: 'say', arguments: ['a//b'] }],
      ['empty argument', { command: 'kick', arguments: [''] }],
      ['newline in an argument', { command: 'say', arguments: ['hi\n/kill'] }],
    ];
    for (const [what, request] of refused) {
      expect((await failure(endpoint.call('autohost/sendCommand', { battleId, ...request }))).reason, what).toBe('invalid_request');
    }
  });

  it('sendMessage: up to 127 characters, a leading / is said, not run; no line breaks', async () => {
    const endpoint = world.endpoint();
    const battleId = battle.battleId;
    await endpoint.call('autohost/sendMessage', { battleId, message: 'gl hf' });
    await endpoint.call('autohost/sendMessage', { battleId, message: '/kill' });
    await endpoint.call('autohost/sendMessage', { battleId, message: 'x'.repeat(127) });
    expect((await failure(endpoint.call('autohost/sendMessage', { battleId, message: 'line\n/kill' }))).reason).toBe('invalid_request');
    // `/kill` as chat did not stop the engine.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(world.autohost.hostedBattle(battleId)?.phase).toBe('starting');
  });

  it('every battle request for a battle that is not hosted here is invalid_request', async () => {
    const endpoint = world.endpoint();
    const battleId = newBattleId();
    const requests = [
      endpoint.call('autohost/kill', { battleId }),
      endpoint.call('autohost/addPlayer', { battleId, userId: 'u1', name: 'X', password: 'y' }),
      endpoint.call('autohost/kickPlayer', { battleId, userId: 'u1' }),
      endpoint.call('autohost/mutePlayer', { battleId, userId: 'u1', chat: true, draw: true }),
      endpoint.call('autohost/specPlayers', { battleId, userIds: ['u1'] }),
      endpoint.call('autohost/sendCommand', { battleId, command: 'forcestart' }),
      endpoint.call('autohost/sendMessage', { battleId, message: 'hi' }),
    ];
    for (const request of requests) expect(await failure(request)).toEqual({ reason: 'invalid_request', details: 'battle not found' });
  });

  it('subscribeUpdates: a second subscription on the same connection, or a since older than 10 minutes, is invalid_request', async () => {
    const endpoint = world.endpoint();
    const again = await failure(endpoint.call('autohost/subscribeUpdates', { since: Date.now() * 1000 }));
    expect(again).toEqual({ reason: 'invalid_request', details: 'already subscribed on this connection' });
    const tooOld = await failure(endpoint.call('autohost/subscribeUpdates', { since: (Date.now() - 11 * 60_000) * 1000 }));
    expect(tooOld.reason).toBe('invalid_request');
    expect(tooOld.details).toMatch(/too far in the past/);
  });

  it('start: a full autohost is invalid_request, as recoil-autohost answers', async () => {
    const second = battleData([alice]);
    const third = battleData([alice]);
    await world.endpoint().call('autohost/start', second);
    await world.endpoint().call('autohost/start', third);
    await waitFor(() => world.server.autohosts.statusOf(world.clientId)?.currentBattles === 3, 5_000, 'status with three battles');
    const full = await failure(world.endpoint().call('autohost/start', battleData([alice])));
    expect(full).toEqual({ reason: 'invalid_request', details: 'this autohost is full (3 of 3 battles)' });
    for (const b of [second, third]) await world.endpoint().call('autohost/kill', { battleId: b.battleId });
    await waitFor(() => world.server.autohosts.statusOf(world.clientId)?.currentBattles === 1, 10_000, 'the two killed battles to end');
  });

  it('kill: /kill ends the engine, the server gets engine_quit, the battle ends and its directory is gone', async () => {
    const battleId = battle.battleId;
    const pid = world.autohost.enginePid(battleId)!;
    await world.endpoint().call('autohost/kill', { battleId });
    await waitFor(() => world.autohost.hostedBattle(battleId)?.phase === 'ended', 10_000, 'the battle to end');
    await waitFor(() => !alive(pid) && world.server.autohosts.statusOf(world.clientId)?.currentBattles === 0, 10_000, 'the engine to exit');
    const updates = serverUpdates(world.server, battleId);
    expect(updates.at(-1)?.update).toEqual({ type: 'engine_quit' });
    expectIncreasingTimes(controlsOf(world.server).updates);
    expect(world.autohost.hostedBattle(battleId)?.end).toEqual({ kind: 'quit' });
    expect(await readdir(world.battlesDir)).toEqual([]);
    // Killing an ended battle again is harmless; other requests say it ended.
    await world.endpoint().call('autohost/kill', { battleId });
    expect(await failure(world.endpoint().call('autohost/sendMessage', { battleId, message: 'hi' }))).toEqual({ reason: 'invalid_request', details: 'the battle has ended' });
  });
});

describe('requests that break the schema (sent raw by a bare peer)', () => {
  it('are invalid_request with the schema\'s words, before any handler runs', async () => {
    const peer = await createRawPeer();
    const battlesDir = await mkdtemp(path.join(os.tmpdir(), 'autohost-raw-'));
    const autohost = new LocalAutohost({ serverUrl: peer.url, getToken: async () => 'raw-peer-token', registry: world.registry, contentDirs: [world.contentDir], battlesDir });
    try {
      await autohost.start();
      await peer.connected;
      const cases: Array<[string, string, unknown, RegExp]> = [
        ['a 128-character message', 'autohost/sendMessage', { battleId: newBattleId(), message: 'x'.repeat(128) }, /more than 127 characters/],
        ['an engine version with ../', 'autohost/start', { ...battleData([alice]), engineVersion: '../106.0' }, /engineVersion must match pattern/],
        ['an invalid luamsgRegexp', 'autohost/start', { ...battleData([alice]), luamsgRegexp: '([' }, /luamsgRegexp must match format "regex"/],
        ['a battleId that is no UUID', 'autohost/kill', { battleId: '../../etc' }, /battleId must match format "uuid"/],
        ['a mute without flags', 'autohost/mutePlayer', { battleId: newBattleId(), userId: 'u1' }, /required: chat/],
      ];
      for (const [what, commandId, data, details] of cases) {
        const response = await peer.request(commandId, data);
        expect(response, what).toMatchObject({ status: 'failed', reason: 'invalid_request' });
        expect(String(response.details), what).toMatch(details);
      }
      expect(await readdir(battlesDir)).toEqual([]);
    } finally {
      await autohost.close();
      await peer.close();
      await rm(battlesDir, { recursive: true, force: true });
    }
  });
});

describe('installEngine', () => {
  it('cannot install: failed (command_unimplemented) for an engine it does not have; success once the engine is put into a configured directory, with a new status', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'autohost-engines-'));
    const server = new TachyonServer();
    controlsOf(server); // before anyone connects, so it sees every peer
    await server.listen(0);
    const { secret } = server.addAutohostClient('ah-install');
    const autohost = new LocalAutohost({
      serverUrl: server.baseUrl,
      clientId: 'ah-install',
      clientSecret: secret,
      engines: { engineDirs: [dir], includeSystem: false },
      contentDirs: [],
    });
    try {
      await autohost.start();
      await waitFor(() => server.autohosts.statusOf('ah-install') !== null, 10_000, 'the autohost to connect');
      expect(server.autohosts.statusOf('ah-install')).toEqual({ maxBattles: 4, currentBattles: 0, availableEngines: [] });
      const endpoint = controlsOf(server).autohostEndpoint('ah-install')!;
      const refused = await endpoint.call('autohost/start', battleData([alice])).then(() => null, (error: RequestFailedError) => error.reason);
      expect(refused).toBe('engine_version_not_available');
      // Nothing to install from: no fake success.
      const notInstalled = await failure(endpoint.call('autohost/installEngine', { version: ENGINE_VERSION }));
      expect(notInstalled.reason).toBe('command_unimplemented');
      expect(notInstalled.details).toMatch(/^this autohost cannot install engines: put engine "106\.0"/);
      // The engine's binaries arrive in the configured directory (put there by hand).
      await mkdir(dir, { recursive: true });
      await symlink('/usr/games/spring-dedicated', path.join(dir, 'spring-dedicated'));
      await chmod(dir, 0o755);
      await endpoint.call('autohost/installEngine', { version: ENGINE_VERSION });
      await waitFor(() => server.autohosts.statusOf('ah-install')?.availableEngines.includes(ENGINE_VERSION) === true, 10_000, 'a status with the new engine');
      // Asking again is idempotent; an engine it does not have is still failed.
      await endpoint.call('autohost/installEngine', { version: ENGINE_VERSION });
      expect(await failure(endpoint.call('autohost/installEngine', { version: 'not-there' }))).toMatchObject({ reason: 'command_unimplemented' });
      expect(controlsOf(server).violations).toEqual([]);
    } finally {
      await autohost.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('start failures before the engine\'s first packet', () => {
  it('an engine that dies or never speaks is internal_error with details, and leaves nothing behind', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'autohost-fake-engine-'));
    const battlesDir = path.join(dir, 'battles');
    await mkdir(battlesDir);
    // Stand-in servers: a real process that reports version 106.0 and then fails in the way asked for.
    const engineDir = path.join(dir, 'engine');
    await mkdir(engineDir);
    const fake = path.join(engineDir, 'spring-dedicated');
    await writeFile(
      fake,
      '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "spring-dedicated version 106.0 (Dedicated)"; exit 0; fi\n' +
        // The last line comes in two writes, so the pipe hands it over in two chunks.
        'if [ -f "$SPRING_WRITEDIR/../../hang" ]; then exec sleep 30; fi\nprintf "Error: could not "; sleep 0.2; echo "open the map"; exit 3\n',
    );
    await chmod(fake, 0o755);
    const registry = await EngineRegistry.discover({ engineDirs: [engineDir], includeSystem: false });
    const server = new TachyonServer();
    controlsOf(server); // before anyone connects, so it sees every peer
    await server.listen(0);
    const { secret } = server.addAutohostClient('ah-fail');
    const autohost = new LocalAutohost({
      serverUrl: server.baseUrl,
      clientId: 'ah-fail',
      clientSecret: secret,
      registry,
      contentDirs: [world.contentDir],
      battlesDir,
      startTimeoutMs: 500,
      checkContent: false,
    });
    try {
      await autohost.start();
      await waitFor(() => server.autohosts.statusOf('ah-fail') !== null, 10_000, 'the autohost to connect');
      const endpoint = controlsOf(server).autohostEndpoint('ah-fail')!;
      const died = await failure(endpoint.call('autohost/start', battleData([alice])));
      expect(died).toEqual({ reason: 'internal_error', details: 'spring-dedicated exited with code 3; last output: Error: could not open the map' });
      await writeFile(path.join(battlesDir, '..', 'hang'), '');
      const hung = await failure(endpoint.call('autohost/start', battleData([alice])));
      expect(hung).toEqual({ reason: 'internal_error', details: 'spring-dedicated sent no first packet within 500 ms' });
      expect(autohost.hostedBattles).toEqual([]);
      expect(autohost.status.currentBattles).toBe(0);
      expect(await readdir(battlesDir)).toEqual([]);
      expect(controlsOf(server).updates).toEqual([]);
    } finally {
      await autohost.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a game or map that is not installed is internal_error naming it, before anything starts', async () => {
    const missing = await failure(world.endpoint().call('autohost/start', battleData([alice], { mapName: 'Theta Crystals 1.3' })));
    expect(missing).toEqual({ reason: 'internal_error', details: 'map "Theta Crystals 1.3" is not installed' });
    expect(await readdir(world.battlesDir)).toEqual([]);
  });
});
