// The embedded server's fleet against an autohost endpoint on an in-memory transport: the autohost/start deadline leaves no timer once answered.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { TachyonEndpoint } from '../../src-main/core/protocol/endpoint';
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
});
