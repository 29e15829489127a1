// Matchmade 1v1s with two headless clients on the real engine, hosted by an autohost that behaves like recoil-autohost
// (test/support/recoil-like-autohost.ts): a full game; the autohost killed mid-battle and back within the grace, then
// after it; the engine crashing mid-battle; a start the engine fails (the restarted autohost counts ports from scratch
// into one still held, as its killed predecessor's engine would hold it); no autohost with the engine. Each ends with the players in `menu`, told
// why, and no battle left on the autohost. The server runs the same code as with the local autohost.
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EngineRegistry, writeTestContent } from '../../src-main/core/engine';
import { CRASHED_TEXT, GONE_TEXT, RESTARTED_TEXT } from '../../src-main/core/server/autohost-fleet';
import type { PlaylistConfig } from '../../src-main/core/server/match';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { spawnHeadless, type HeadlessProcess } from '../support/headless-process';
import { startRecoilLikeAutohost, type RecoilLikeAutohost } from '../support/recoil-like-autohost';
import { recordLog, recordSecrets } from '../support/secret-ledger';
import { controlsOf } from '../support/server-controls';

const CLIENT_ID = 'recoil-autohost';
const GRACE_MS = 12_000;
const SHORT_GAME = 'Tachyon Short Game';
const LONG_GAME = 'Tachyon Long Game';
const MAP = 'Tachyon Test Map';

let root: string;
let contentDir: string;
let server: TachyonServer;
let secret: string;
let firstHostPort: number;
const autohosts: RecoilLikeAutohost[] = [];
const clients: HeadlessProcess[] = [];

async function until(what: string, probe: () => boolean, ms: number): Promise<void> {
  const t = Date.now();
  while (!probe()) {
    if (Date.now() - t > ms) {
      const tail = clients.slice(-2).map((c) => JSON.stringify(c.stdout.slice(-6)) + c.stderr.join('').slice(-600)).join('\n');
      throw new Error(`timed out waiting for ${what}\n${tail}\n${autohosts.at(-1)?.stderr.join('').slice(-1500) ?? ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startAutohost(): Promise<RecoilLikeAutohost> {
  const battlesDir = join(root, 'battles');
  await mkdir(battlesDir, { recursive: true, mode: 0o700 });
  const autohost = startRecoilLikeAutohost({ serverUrl: server.baseUrl, clientId: CLIENT_ID, secret, contentDir, battlesDir, firstHostPort });
  autohosts.push(autohost);
  await until('the autohost connected with its status', () => server.autohosts.statusOf(CLIENT_ID) !== null && autohost.records.some((r) => r.kind === 'started'), 30_000);
  return autohost;
}

async function killAutohost(autohost: RecoilLikeAutohost): Promise<void> {
  autohost.child.kill('SIGKILL');
  await autohost.exited;
  await until('the server saw it go', () => server.autohosts.connectedCount === 0, 10_000);
}

/** Two new players queue for `playlist` with headless clients that ready at once. */
function pair(playlist: string, names: [string, string]): HeadlessProcess[] {
  return names.map((name) => {
    const token = server.addPlayer(name).token;
    recordSecrets(token);
    const client = spawnHeadless(['--server', server.baseUrl, '--json', '--queue', playlist, '--auto-ready', '--data-dir', join(root, name),
      '--engine', '/usr/games/spring-headless', '--content', contentDir], { TACHYON_TOKEN: token });
    clients.push(client);
    return client;
  });
}

const userIdOf = (name: string) => server.accounts.all().find((a) => a.username === name)?.userId ?? '';
const notices = (c: HeadlessProcess) => c.records().filter((r) => r.kind === 'notice').map((r) => String(r.text));
const told = (c: HeadlessProcess, text: string) => notices(c).some((n) => n.includes(text));
const updateTypes = (battleId: string) => controlsOf(server).updates.filter((u) => u.battleId === battleId).map((u) => u.update.type);

/** The battle the server believes the autohost hosts, once there is exactly one. */
async function hostedBattle(): Promise<string> {
  await until('a battle hosted', () => server.autohosts.battlesOf(CLIENT_ID).length === 1, 20_000);
  return server.autohosts.battlesOf(CLIENT_ID)[0] ?? '';
}

async function inMenu(names: readonly string[]): Promise<void> {
  await until(`${names.join(', ')} in the menu`, () => names.every((n) => server.community.statusOf(userIdOf(n)) === 'menu'), 20_000);
}

/** Each test's players leave when it ends: their engines stop, and the next pair's start under less load. */
async function stopClients(): Promise<void> {
  for (const client of clients) {
    if (client.child.exitCode === null && client.child.signalCode === null) client.child.kill('SIGTERM');
    await client.exited;
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'recoil-like-'));
  contentDir = join(root, 'content');
  await writeTestContent(contentDir, { gameName: SHORT_GAME, mapName: MAP, gameOverFrame: 120 });
  await writeTestContent(contentDir, { gameName: LONG_GAME, mapName: MAP, gameOverFrame: 30 * 300 });
  const registry = await EngineRegistry.discover({ engineBinaries: ['/usr/games/spring-dedicated'], includeSystem: false });
  const engine = registry.versions[0] ?? 'none';
  const duel = (id: string, game: string, over: Partial<PlaylistConfig> = {}): PlaylistConfig => ({ id, name: id, numOfTeams: 2, teamSize: 1, engine, game, map: MAP, ...over });
  server = new TachyonServer({
    playlists: [duel('short', SHORT_GAME), duel('long', LONG_GAME), duel('future', SHORT_GAME, { engine: '999.0' })],
    rateLimit: null, matchIntervalMs: 100, readyTimeoutMs: 20_000, autohostReconnectGraceMs: GRACE_MS,
  });
  controlsOf(server); // before anyone connects, so it records every update
  await server.listen(0);
  secret = server.addAutohostClient(CLIENT_ID).secret;
  recordSecrets(secret);
  // A range of its own, so the counted ports meet nothing but this file's engines.
  firstHostPort = 30_000 + (process.pid % 2_000) * 10;
}, 60_000);

afterAll(async () => {
  await stopClients();
  for (const autohost of autohosts) {
    if (autohost.child.exitCode === null && autohost.child.signalCode === null) autohost.child.kill('SIGTERM');
    await autohost.exited;
  }
  // What killed autohosts left running, as a killed recoil-autohost leaves it, and any player engine still up.
  const enginePids = [...autohosts.flatMap((a) => a.enginePids()), ...clients.flatMap((c) => c.records().filter((r) => r.kind === 'engine' && typeof r.pid === 'number').map((r) => r.pid as number))];
  for (const pid of enginePids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const c of clients) recordLog([...c.stdout, ...c.stderr]);
  for (const a of autohosts) recordLog(a.stderr);
  await server?.close();
  rmSync(root, { recursive: true, force: true });
}, 60_000);

afterEach(stopClients, 30_000);

/** Kills what a killed autohost left running (a real recoil-autohost's engines play on; ours die with the pipe). */
function endLeftovers(autohost: RecoilLikeAutohost): void {
  for (const pid of autohost.enginePids()) if (alive(pid)) process.kill(pid, 'SIGKILL');
}

describe('matchmade 1v1s on a recoil-like autohost', () => {
  it('plays a whole game from its script with the hash lines, and both players come back to the menu', async () => {
    await startAutohost();
    const players = pair('short', ['alice', 'bob']);
    const battleId = await hostedBattle();
    await until('both engines exited cleanly', () => players.every((c) => c.records().some((r) => r.kind === 'engine' && r.status === 'offline' && r.exitCode === 0)
      && c.records().some((r) => r.kind === 'battle' && r.phase === 'ended')), 60_000);
    await until('engine quit', () => updateTypes(battleId).includes('engine_quit'), 20_000);
    expect(updateTypes(battleId)).toEqual(expect.arrayContaining(['player_joined', 'start', 'finished', 'engine_quit']));
    await inMenu(['alice', 'bob']);
    await until('no battle on the autohost', () => server.autohosts.statusOf(CLIENT_ID)?.currentBattles === 0, 10_000);
    expect(server.autohosts.battlesOf(CLIENT_ID)).toEqual([]);
    expect(controlsOf(server).violations).toEqual([]);
  }, 120_000);

  it('ends the battle at once when the autohost is killed mid-battle and restarted within the grace', async () => {
    const [first] = autohosts;
    if (!first) throw new Error('no autohost');
    const players = pair('long', ['carol', 'dave']);
    const battleId = await hostedBattle();
    await until('the game running', () => updateTypes(battleId).includes('start'), 30_000);
    await killAutohost(first);
    const second = await startAutohost();
    await inMenu(['carol', 'dave']);
    await until('both told why', () => players.every((c) => told(c, RESTARTED_TEXT)), 10_000);
    expect(server.autohosts.battlesOf(CLIENT_ID)).toEqual([]);
    expect(server.autohosts.statusOf(CLIENT_ID)?.currentBattles).toBe(0);
    expect(second.child.exitCode).toBeNull();
    endLeftovers(first);
  }, 120_000);

  it('says the engine failed to start when the restarted autohost counts its ports from scratch into a port still held', async () => {
    // The killed recoil-autohost's engine would still hold the port its successor counts to first.
    const held = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => held.bind(firstHostPort + 1, '127.0.0.1', () => resolve()));
    try {
      const players = pair('short', ['erin', 'frank']);
      await until('both told why', () => players.every((c) => told(c, 'The autohost could not start the engine.')), 30_000);
      for (const c of players) expect(c.records().filter((r) => r.kind === 'matchmaking').map((r) => r.state)).toContain('cancelled');
      await inMenu(['erin', 'frank']);
      expect(server.autohosts.battlesOf(CLIENT_ID)).toEqual([]);
      await until('no battle on the autohost', () => server.autohosts.statusOf(CLIENT_ID)?.currentBattles === 0, 10_000);
    } finally {
      await new Promise<void>((resolve) => held.close(() => resolve()));
    }
  }, 60_000);

  it('ends the battle after the grace when the autohost stays away, and kills it when the autohost is back', async () => {
    const second = autohosts[1];
    if (!second) throw new Error('no second autohost');
    const players = pair('long', ['grace', 'heidi']);
    const battleId = await hostedBattle();
    await until('the game running', () => updateTypes(battleId).includes('start'), 30_000);
    await killAutohost(second);
    await until('both told the autohost did not come back', () => players.every((c) => told(c, GONE_TEXT)), GRACE_MS + 10_000);
    await inMenu(['grace', 'heidi']);
    expect(server.autohosts.battlesOf(CLIENT_ID)).toEqual([]);
    await startAutohost();
    expect(server.autohosts.statusOf(CLIENT_ID)?.currentBattles).toBe(0);
    endLeftovers(second);
  }, 120_000);

  it('ends the battle with why when its engine crashes mid-battle', async () => {
    const third = autohosts[2];
    if (!third) throw new Error('no third autohost');
    const players = pair('long', ['ivan', 'judy']);
    const battleId = await hostedBattle();
    await until('the game running', () => updateTypes(battleId).includes('start'), 30_000);
    const [pid] = third.enginePids();
    if (pid === undefined) throw new Error('no engine pid reported');
    process.kill(pid, 'SIGKILL');
    await until('engine crash', () => updateTypes(battleId).includes('engine_crash'), 20_000);
    await inMenu(['ivan', 'judy']);
    await until('both told why', () => players.every((c) => told(c, CRASHED_TEXT)), 10_000);
    await until('no battle on the autohost', () => server.autohosts.statusOf(CLIENT_ID)?.currentBattles === 0, 10_000);
    expect(server.autohosts.battlesOf(CLIENT_ID)).toEqual([]);
  }, 120_000);

  it('says no autohost has the engine, naming it, and sends no autohost/start', async () => {
    const players = pair('future', ['ken', 'lena']);
    await until('both told why', () => players.every((c) => told(c, 'No autohost has engine 999.0.')), 30_000);
    await inMenu(['ken', 'lena']);
    expect(server.autohosts.battlesOf(CLIENT_ID)).toEqual([]);
    expect(server.autohosts.statusOf(CLIENT_ID)?.currentBattles).toBe(0);
    expect(controlsOf(server).violations).toEqual([]);
  }, 60_000);
});
