// The embedded server's fleet against an autohost endpoint on an in-memory transport: the autohost/start deadline, the update subscription.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { FailWith, TachyonEndpoint } from '../../src-main/core/protocol/endpoint';
import { createMemoryLogger } from '../../src-main/core/log';
import { AutohostFleet } from '../../src-main/core/server/autohost-fleet';

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
    expect(vi.getTimerCount()).toBe(0);
    fleet.stop();
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
