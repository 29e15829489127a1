// The embedded server's fleet against an autohost endpoint on an in-memory transport: the autohost/start deadline, the update
// subscription, battles lost in a restart or after the grace (ended with why, and killed), and start failures in words.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { FailWith, TachyonEndpoint } from '../../src-main/core/protocol/endpoint';
import { createMemoryLogger } from '../../src-main/core/log';
import { AutohostFleet, GONE_TEXT, NOT_STARTED_TEXT, RESTARTED_TEXT } from '../../src-main/core/server/autohost-fleet';
import { LaunchFailure } from '../../src-main/core/server/match';
import type { AutohostConnection } from '../../src-main/core/server/session';

function autohostPair(): { server: TachyonEndpoint; autohost: TachyonEndpoint } {
  const server: TachyonEndpoint = new TachyonEndpoint({ send: (t) => queueMicrotask(() => autohost.receive(t)), closeForViolation: () => undefined, logger: createMemoryLogger() });
  const autohost: TachyonEndpoint = new TachyonEndpoint({ send: (t) => queueMicrotask(() => server.receive(t)), closeForViolation: () => undefined, logger: createMemoryLogger() });
  return { server, autohost };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('AutohostFleet', () => {
  it('clears the autohost/start deadline as soon as the autohost answers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { server, autohost } = autohostPair();
    autohost.handle('autohost/subscribeUpdates', () => undefined);
    autohost.handle('autohost/start', () => ({ ips: ['127.0.0.1'], port: 8452 }));
    const fleet = new AutohostFleet(createMemoryLogger());
    fleet.attach({ clientId: 'ah', endpoint: server });
    autohost.sendEvent('autohost/status', { maxBattles: 1, currentBattles: 0, availableEngines: ['105.1.1'] });
    for (let i = 0; i < 100 && fleet.statusOf('ah') === null; i++) await Promise.resolve();
    expect(fleet.statusOf('ah')).not.toBeNull();
    const playlist = { id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '105.1.1', game: 'g', map: 'm' };
    const players = [0, 1].map((team) => ({ userId: String(team + 1), name: `p${team}`, password: `pw${team}`, team }));
    const address = await fleet.launch({ battleId: randomUUID(), playlist, players });
    expect(address).toEqual({ ip: '127.0.0.1', port: 8452 });
    // Only the wait for the game to start is left, and stop() clears it.
    expect(vi.getTimerCount()).toBe(1);
    fleet.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resubscribes from now when the autohost refuses a since that is too old, and not for other failures', async () => {
    const { server, autohost } = autohostPair();
    const asked: number[] = [];
    autohost.handle('autohost/subscribeUpdates', ({ since }) => {
      asked.push(since);
      if (asked.length === 1) throw new FailWith<'autohost/subscribeUpdates'>('invalid_request', 'since is too far in the past, max age is 5s');
      return undefined;
    });
    const now = 1_800_000_000_000;
    const fleet = new AutohostFleet(createMemoryLogger(), () => now);
    fleet.attach({ clientId: 'ah', endpoint: server });
    for (let i = 0; i < 200 && asked.length < 2; i++) await Promise.resolve();
    expect(asked).toHaveLength(2);
    expect(asked[1]).toBeGreaterThanOrEqual(now * 1000);
    fleet.stop();

    const other = autohostPair();
    const tries: number[] = [];
    other.autohost.handle('autohost/subscribeUpdates', ({ since }) => {
      tries.push(since);
      throw new FailWith<'autohost/subscribeUpdates'>('internal_error');
    });
    const second = new AutohostFleet(createMemoryLogger(), () => now);
    second.attach({ clientId: 'ah2', endpoint: other.server });
    for (let i = 0; i < 200; i++) await Promise.resolve();
    expect(tries).toHaveLength(1);
    second.stop();
  });
});

/** An autohost endpoint that records what the server asks of it. */
function recordingAutohost(pair: { autohost: TachyonEndpoint }, startAnswer: () => Promise<{ ips: string[]; port: number }> = async () => ({ ips: ['127.0.0.1'], port: 8452 })) {
  const kills: string[] = [];
  pair.autohost.handle('autohost/subscribeUpdates', () => undefined);
  pair.autohost.handle('autohost/start', () => startAnswer());
  pair.autohost.handle('autohost/kill', ({ battleId }) => { kills.push(battleId); return undefined; });
  return { kills };
}

async function settle(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(check()).toBe(true);
}

const duel = { id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '105.1.1', game: 'g', map: 'm' };
const duelists = [0, 1].map((team) => ({ userId: String(team + 1), name: `p${team}`, password: `pw${team}`, team }));

async function fleetWithBattle(grace = 30_000) {
  const fleet = new AutohostFleet(createMemoryLogger(), Date.now, grace);
  const ended: { battleId: string; text?: string }[] = [];
  fleet.onBattleEnded((battleId, text) => ended.push({ battleId, text }));
  const first = autohostPair();
  recordingAutohost(first);
  const connection = { clientId: 'ah', endpoint: first.server };
  fleet.attach(connection);
  first.autohost.sendEvent('autohost/status', { maxBattles: 4, currentBattles: 0, availableEngines: ['105.1.1'] });
  await settle(() => fleet.statusOf('ah') !== null);
  const battleId = randomUUID();
  await fleet.launch({ battleId, playlist: duel, players: duelists });
  return { fleet, ended, battleId, connection };
}

/** The autohost drops and comes back (a new connection, same client id) reporting `currentBattles`; its kills are recorded. */
function restartCounting(fleet: AutohostFleet, connection: AutohostConnection, currentBattles: number) {
  fleet.detach(connection);
  const second = autohostPair();
  const recorded = recordingAutohost(second);
  fleet.attach({ clientId: 'ah', endpoint: second.server });
  second.autohost.sendEvent('autohost/status', { maxBattles: 4, currentBattles, availableEngines: ['105.1.1'] });
  return recorded;
}

describe('AutohostFleet after an autohost restart', () => {
  it('ends at once, and kills, the battles a restarted autohost no longer counts', async () => {
    const { fleet, ended, battleId, connection } = await fleetWithBattle();
    const { kills } = restartCounting(fleet, connection, 0);
    await settle(() => ended.length === 1 && kills.length === 1);
    expect(ended).toEqual([{ battleId, text: RESTARTED_TEXT }]);
    expect(kills).toEqual([battleId]);
    expect(fleet.battlesOf('ah')).toEqual([]);
    fleet.stop();
  });

  it('ends a battle the normal way when a reconnect\'s replay reports its end, even as the autohost counts none', async () => {
    const { fleet, ended, battleId, connection } = await fleetWithBattle();
    fleet.detach(connection);
    const second = autohostPair();
    const { kills } = recordingAutohost(second);
    // As recoil-autohost may: the replayed updates go out before the subscription's answer.
    second.autohost.handle('autohost/subscribeUpdates', () => {
      second.autohost.sendEvent('autohost/update', { battleId, time: Date.now() * 1000 + 5_000_000, update: { type: 'engine_quit' } });
      return undefined;
    });
    fleet.attach({ clientId: 'ah', endpoint: second.server });
    second.autohost.sendEvent('autohost/status', { maxBattles: 4, currentBattles: 0, availableEngines: ['105.1.1'] });
    await settle(() => ended.length === 1);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(ended).toEqual([{ battleId, text: undefined }]);
    expect(kills).toEqual([]);
    fleet.stop();
  });

  it('waits for the count when the autohost sends its status only after the subscription', async () => {
    const { fleet, ended, battleId, connection } = await fleetWithBattle();
    fleet.detach(connection);
    const second = autohostPair();
    recordingAutohost(second);
    let subscribed = false;
    second.autohost.handle('autohost/subscribeUpdates', () => { subscribed = true; return undefined; });
    fleet.attach({ clientId: 'ah', endpoint: second.server });
    await settle(() => subscribed);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(ended).toEqual([]);
    second.autohost.sendEvent('autohost/status', { maxBattles: 4, currentBattles: 0, availableEngines: ['105.1.1'] });
    await settle(() => ended.length === 1);
    expect(ended).toEqual([{ battleId, text: RESTARTED_TEXT }]);
    fleet.stop();
  });

  it('keeps the battles a reconnecting autohost still counts', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { fleet, ended, battleId, connection } = await fleetWithBattle();
    const { kills } = restartCounting(fleet, connection, 1);
    await settle(() => fleet.statusOf('ah') !== null);
    await vi.advanceTimersByTimeAsync(1_000); // the replay's moment to settle
    expect(ended).toEqual([]);
    expect(kills).toEqual([]);
    expect(fleet.battlesOf('ah')).toEqual([battleId]);
    fleet.stop();
  });

  it('when it counts some but not all, ends the ones the replay did not account for after it settles', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { fleet, ended, battleId, connection } = await fleetWithBattle();
    const other = randomUUID();
    await fleet.launch({ battleId: other, playlist: duel, players: duelists });
    const { kills } = restartCounting(fleet, connection, 1);
    await settle(() => fleet.statusOf('ah') !== null);
    expect(ended).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000); // the replay's moment to settle
    await settle(() => kills.length === 1);
    expect(ended).toHaveLength(1);
    expect([battleId, other]).toContain(ended[0]?.battleId);
    expect(fleet.battlesOf('ah')).toHaveLength(1);
    fleet.stop();
  });

  it('after the grace, ends the battles with why, and kills them when the autohost comes back', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { fleet, ended, battleId, connection } = await fleetWithBattle(1_000);
    fleet.detach(connection);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ended).toEqual([{ battleId, text: GONE_TEXT }]);
    const second = autohostPair();
    const { kills } = recordingAutohost(second);
    fleet.attach({ clientId: 'ah', endpoint: second.server });
    await settle(() => kills.length === 1);
    expect(kills).toEqual([battleId]);
    fleet.stop();
  });

  it('gives up on a battle whose game does not start in time (killed, players told), and not on one that starts', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const fleet = new AutohostFleet(createMemoryLogger(), Date.now, 30_000, 60_000);
    const ended: { battleId: string; text?: string }[] = [];
    fleet.onBattleEnded((battleId, text) => ended.push({ battleId, text }));
    const pair = autohostPair();
    const { kills } = recordingAutohost(pair);
    fleet.attach({ clientId: 'ah', endpoint: pair.server });
    pair.autohost.sendEvent('autohost/status', { maxBattles: 4, currentBattles: 0, availableEngines: ['105.1.1'] });
    await settle(() => fleet.statusOf('ah') !== null);
    const idle = randomUUID();
    const playing = randomUUID();
    await fleet.launch({ battleId: idle, playlist: duel, players: duelists });
    await fleet.launch({ battleId: playing, playlist: duel, players: duelists });
    pair.autohost.sendEvent('autohost/update', { battleId: playing, time: Date.now() * 1000 + 1, update: { type: 'start' } });
    await settle(() => true);
    for (let i = 0; i < 20; i++) await Promise.resolve();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ended).toEqual([{ battleId: idle, text: NOT_STARTED_TEXT }]);
    await settle(() => kills.length === 1);
    expect(kills).toEqual([idle]);
    expect(fleet.battlesOf('ah')).toEqual([playing]);
    fleet.stop();
  });

  it('kills a battle whose autohost/start got no answer in time, and says so in words', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const fleet = new AutohostFleet(createMemoryLogger());
    const pair = autohostPair();
    const { kills } = recordingAutohost(pair, () => new Promise(() => undefined));
    fleet.attach({ clientId: 'ah', endpoint: pair.server });
    pair.autohost.sendEvent('autohost/status', { maxBattles: 4, currentBattles: 0, availableEngines: ['105.1.1'] });
    await settle(() => fleet.statusOf('ah') !== null);
    const battleId = randomUUID();
    const launched = fleet.launch({ battleId, playlist: duel, players: duelists });
    const failure = launched.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(5_000);
    const error = await failure;
    expect(error).toBeInstanceOf(LaunchFailure);
    expect((error as LaunchFailure).playerText).toBe('The autohost did not answer in time.');
    await settle(() => kills.length === 1);
    expect(kills).toEqual([battleId]);
    expect(fleet.battlesOf('ah')).toEqual([]);
    fleet.stop();
  });

  it('says in words why a launch cannot start, without the autohost\'s details', async () => {
    const fleet = new AutohostFleet(createMemoryLogger());
    const text = (promise: Promise<unknown>) => promise.then(() => 'started', (error: unknown) => (error as LaunchFailure).playerText);
    expect(await text(fleet.launch({ battleId: randomUUID(), playlist: duel, players: duelists }))).toBe('No autohost is connected to host the battle.');
    const pair = autohostPair();
    recordingAutohost(pair);
    pair.autohost.handle('autohost/start', () => { throw new FailWith<'autohost/start'>('internal_error', 'engine exited with 21: /srv/secret/path'); });
    fleet.attach({ clientId: 'ah', endpoint: pair.server });
    pair.autohost.sendEvent('autohost/status', { maxBattles: 4, currentBattles: 0, availableEngines: ['105.1.1'] });
    await settle(() => fleet.statusOf('ah') !== null);
    expect(await text(fleet.launch({ battleId: randomUUID(), playlist: { ...duel, engine: '999.0' }, players: duelists }))).toBe('No autohost has engine 999.0.');
    expect(await text(fleet.launch({ battleId: randomUUID(), playlist: duel, players: duelists }))).toBe('The autohost could not start the engine.');
    fleet.stop();
  });
});
