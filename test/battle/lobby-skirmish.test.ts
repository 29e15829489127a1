// The offline skirmish on the real engine: a player creates a private lobby on the embedded server, adds a NullAI bot,
// starts; the local autohost hosts it on spring-dedicated with the bot in its autohost/start, the player's spring-headless
// joins from its battle/start, the game plays to its end, and the lobby is told the battle is over.
import path from 'node:path';
import type { AutohostStartRequestData, BattleStartRequestData } from 'tachyon-protocol/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineRunner, planBattleLaunch, TEST_GAME_NAME, TEST_MAP_NAME } from '../../src-main/core/engine';
import { createWorld, ENGINE_VERSION, serverUpdates, waitFor, type AutohostWorld } from '../autohost/support';
import { recordSecrets } from '../support/secret-ledger';
import { allyTeams, rawPlayer, type RawPlayer } from '../core/lobby-client-harness';

let world: AutohostWorld;
const runners: EngineRunner[] = [];
const players: RawPlayer[] = [];

beforeAll(async () => {
  world = await createWorld({}, { rateLimit: null, lobbies: { engine: ENGINE_VERSION, game: TEST_GAME_NAME, listFlushMs: 50 } });
});

afterAll(async () => {
  for (const runner of runners.splice(0)) await runner.dispose();
  for (const p of players.splice(0)) await p.close();
  await world?.close();
});

async function launch(data: BattleStartRequestData): Promise<EngineRunner> {
  const plan = await planBattleLaunch(data, { registry: world.registry, contentDirs: [world.contentDir], binary: 'headless' });
  if (!plan.ok) throw new Error(plan.details);
  const runner = new EngineRunner({ tempBase: path.join(world.root, 'players'), stopGraceMs: 3_000 });
  runners.push(runner);
  await runner.launch(plan.request);
  return runner;
}

describe('a lobby battle on the local autohost and the real engine', () => {
  it('plays a player against a NullAI bot, with a spectator watching, and ends the lobby\'s battle', async () => {
    const requests: AutohostStartRequestData[] = [];
    const fleet = world.server.autohosts;
    const host = fleet.host.bind(fleet);
    // Observes what the lobby asks the autohost (the real fleet still sends it).
    fleet.host = async (request) => {
      requests.push(structuredClone(request));
      return host(request);
    };
    const alice = await rawPlayer(world.server, 'alice');
    const bob = await rawPlayer(world.server, 'bob');
    players.push(alice, bob);
    const lobby = await alice.ok<{ id: string; engineVersion: string; gameVersion: string }>('lobby/create', { name: 'Skirmish', mapName: TEST_MAP_NAME, allyTeamConfig: allyTeams() });
    expect(lobby).toMatchObject({ engineVersion: ENGINE_VERSION, gameVersion: TEST_GAME_NAME });
    await alice.ok('lobby/addBot', { allyTeam: '1', shortName: 'NullAI' });
    await bob.ok('lobby/join', { id: lobby.id });
    await alice.ok('lobby/startBattle');

    const aliceStart = await alice.next<BattleStartRequestData>('battle/start');
    const bobStart = await bob.next<BattleStartRequestData>('battle/start');
    recordSecrets(aliceStart.password, bobStart.password);
    const request = requests[0];
    expect(request).toMatchObject({
      engineVersion: ENGINE_VERSION, gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME,
      allyTeams: [{ teams: [{ players: [{ userId: alice.userId, name: 'alice' }] }] }, { teams: [{ bots: [{ hostUserId: alice.userId, aiShortName: 'NullAI' }] }] }],
      spectators: [{ userId: bob.userId, name: 'bob' }],
    });
    const battleId = request?.battleId ?? '';
    expect(aliceStart).toMatchObject({ username: 'alice', ip: '127.0.0.1', engine: { version: ENGINE_VERSION }, map: { springName: TEST_MAP_NAME } });
    let current: { id: string } | null = null;
    while (!current) current = (await alice.next<{ currentBattle?: { id: string } }>('lobby/updated')).currentBattle ?? null;
    expect(current.id).toBe(battleId);

    await launch(aliceStart);
    await launch(bobStart);
    const types = () => serverUpdates(world.server, battleId).map((u) => u.update.type);
    await waitFor(() => types().filter((t) => t === 'player_joined').length === 2, 60_000, 'the player and the spectator to join spring-dedicated');
    await waitFor(() => types().includes('start'), 60_000, 'the game to start');
    await waitFor(() => types().includes('engine_quit'), 60_000, 'the game to end and the engine to quit');
    let ended = false;
    while (!ended) ended = (await alice.next<Record<string, unknown>>('lobby/updated')).currentBattle === null;
    expect(world.server.lobbies.isInBattle(alice.userId)).toBe(false);
    await waitFor(() => runners.every((r) => r.snapshot().lastExit !== undefined), 30_000, 'both engines to exit');
    expect(runners.map((r) => r.snapshot().lastExit?.code)).toEqual([0, 0]);
    // The bot reached the engine through the host script, and the host player's engine (given the engine's AI folders by
    // the registry) loaded NullAI and handed it the bot's team.
    const hostConsole = runners[0]?.console().map((l) => l.text) ?? [];
    expect(hostConsole.some((l) => /CreateSkirmishAI\(id=0\)/.test(l))).toBe(true);
    expect(hostConsole.some((l) => /local skirmish AI ".*" \(ID: \d+, Short-Name: "NullAI".*\) took over control of team 1/.test(l))).toBe(true);
    expect(hostConsole.filter((l) => /unknown skirmish AI|being removed from team/i.test(l))).toEqual([]);
  }, 180_000);
});
