// Local play end to end with no mocks: the embedded server, the local autohost on spring-dedicated, and two headless clients that queue, ready and play on the real engine.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestContent } from '../../src-main/core/engine';
import { startLocalPlay, type LocalPlay } from '../../src-main/core/local-play';
import { createMemoryLogger } from '../../src-main/core/log';
import { spawnHeadless, type HeadlessProcess } from '../support/headless-process';
import { recordLog, recordSecrets } from '../support/secret-ledger';
import { controlsOf } from '../support/server-controls';

type Client = HeadlessProcess;

function headless(baseUrl: string, token: string, dataDir: string, contentDir: string): Client {
  return spawnHeadless(['--server', baseUrl, '--json', '--queue', '1v1', '--auto-ready', '--data-dir', dataDir, '--engine', '/usr/games/spring-headless', '--content', contentDir],
    { TACHYON_TOKEN: token });
}

async function until(what: string, probe: () => boolean, ms: number, clients: Client[] = []): Promise<void> {
  const t = Date.now();
  while (!probe()) {
    if (Date.now() - t > ms) throw new Error(`timed out waiting for ${what}\n${clients.map((c) => JSON.stringify(c.stdout.slice(-8)) + c.stderr.join('')).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let base: string;
let play: LocalPlay;
const clients: Client[] = [];
const logger = createMemoryLogger('info');
beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'lobby-local-play-'));
  await writeTestContent(join(base, 'content'), { gameOverFrame: 60 });
  play = await startLocalPlay({ dataDir: join(base, 'play'), contentDirs: [join(base, 'content')], players: ['alice', 'bob'], logger, initialNetworkTimeoutSeconds: 15 });
  controlsOf(play.server); // before any battle, so it records every update
  recordSecrets(...Object.values(play.tokens));
});
afterAll(async () => {
  for (const c of clients) {
    c.child.kill('SIGTERM');
    await c.exited;
    recordLog([...c.stdout, ...c.stderr]);
  }
  recordLog(logger.lines);
  await play?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('local play', () => {
  it('matches two headless players, hosts the battle on the local autohost, and brings both back to the menu', async () => {
    expect(play.content.builtTestContent).toBe(false);
    expect(play.autohost).not.toBeNull();
    await until('autohost connected', () => play.server.autohosts.connectedCount === 1, 10_000);
    const alice = headless(play.baseUrl, play.tokens.alice ?? '', join(base, 'alice'), join(base, 'content'));
    const bob = headless(play.baseUrl, play.tokens.bob ?? '', join(base, 'bob'), join(base, 'content'));
    clients.push(alice, bob);
    const phases = (c: Client) => c.records().filter((l) => l.kind === 'matchmaking').map((l) => l.state);
    await until('both in battle', () => [alice, bob].every((c) => phases(c).includes('battle')), 20_000, clients);
    await until('both engines running', () => [alice, bob].every((c) => c.records().some((l) => l.kind === 'engine' && l.status === 'running')), 20_000, clients);
    // The engine's exit and the battle's end are two records: wait for both.
    await until('both engines exited cleanly', () => [alice, bob].every((c) => c.records().some((l) => l.kind === 'engine' && l.status === 'offline' && l.exitCode === 0)
      && c.records().some((l) => l.kind === 'battle' && l.phase === 'ended')), 60_000, clients);
    for (const c of [alice, bob]) {
      expect(phases(c)).toEqual(expect.arrayContaining(['found', 'battle']));
      expect(c.records().filter((l) => l.kind === 'battle').map((l) => l.phase)).toEqual(['launching', 'running', 'ended']);
    }
    const updates = controlsOf(play.server).updates;
    await until('engine quit update', () => updates.some((u) => u.update.type === 'engine_quit'), 20_000);
    const types = updates.map((u) => u.update.type);
    expect(types.filter((t) => t === 'player_joined')).toHaveLength(2);
    expect(types).toEqual(expect.arrayContaining(['start', 'finished', 'engine_quit']));
    expect(types.indexOf('start')).toBeLessThan(types.indexOf('finished'));
    expect(types.at(-1)).toBe('engine_quit');
    const times = updates.map((u) => u.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBe(times.length);
    const ids = play.server.accounts.all().map((a) => a.userId);
    await until('both back in the menu', () => ids.every((id) => play.server.community.statusOf(id) === 'menu'), 10_000);
    expect(controlsOf(play.server).violations).toEqual([]);
    // Each player's demo is kept in its data dir's replays folder, the host's in local play's.
    const demosIn = (dir: string) => readdirSync(join(dir, 'replays'), { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.sdfz')).length;
    await until('the host demo kept', () => existsSync(join(base, 'play', 'replays')) && demosIn(join(base, 'play')) === 1, 10_000);
    for (const player of ['alice', 'bob']) expect(demosIn(join(base, player)), player).toBe(1);
  }, 120_000);
});
