// A local process that races spring-dedicated to the LocalAutohost's UDP port (real engine, 127.0.0.1): it is never taken for the engine.
import dgram from 'node:dgram';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineRunner, planBattleLaunch } from '../../src-main/core/engine';
import { battleData, createWorld, ENGINE_VERSION, serverUpdates, waitFor, type AutohostWorld } from './support';

let world: AutohostWorld;

beforeAll(async () => {
  world = await createWorld();
});

afterAll(async () => {
  await world?.close();
});

const alice = { userId: 'u-alice', name: 'Alice', password: 'alice-pw-40318' };

/** The autohost port from a battle's script, once one exists (a real attacker would read /proc/net/udp). */
async function autohostPortOf(battlesDir: string): Promise<number | undefined> {
  for (const dir of await readdir(battlesDir)) {
    const script = await readFile(path.join(battlesDir, dir, 'script.txt'), 'utf8').catch(() => '');
    const port = /AutohostPort=(\d+);/.exec(script)?.[1];
    if (port !== undefined) return Number(port);
  }
  return undefined;
}

describe('a stray UDP sender that sends first', () => {
  it('is ignored: the start waits for spring-dedicated, its forged game_over is no update, and it hears no command', async () => {
    const stray = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => stray.bind(0, '127.0.0.1', () => resolve()));
    const heard: string[] = [];
    stray.on('message', (m) => heard.push(m.toString()));
    const forgedGameOver = Buffer.from([3, 4, 0, 1]);
    const battle = battleData([alice]);
    let answered = false;
    let sentBeforeAnswer = 0;
    // From the moment the port exists until the answer: SERVER_STARTED and a game_over naming player 0 the loser.
    const flood = (async () => {
      let port: number | undefined;
      for (let i = 0; i < 5_000 && !answered; i++) {
        port ??= await autohostPortOf(world.battlesDir);
        if (port !== undefined) {
          stray.send(Buffer.from([0]), port, '127.0.0.1');
          stray.send(forgedGameOver, port, '127.0.0.1');
          sentBeforeAnswer++;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return port;
    })();
    const runners: EngineRunner[] = [];
    try {
      const { port } = await world.endpoint().call('autohost/start', battle);
      answered = true;
      const autohostPort = await flood;
      expect(autohostPort).toBeDefined();
      expect(sentBeforeAnswer).toBeGreaterThan(0);
      // And after the engine is known.
      for (let i = 0; i < 5; i++) stray.send(forgedGameOver, autohostPort!, '127.0.0.1');

      // The engine's packets are the ones taken: a real player's join is reported.
      const data: BattleStartRequestData = {
        username: alice.name,
        password: alice.password,
        ip: '127.0.0.1',
        port,
        engine: { version: ENGINE_VERSION },
        game: { springName: battle.gameName },
        map: { springName: battle.mapName },
      };
      const plan = await planBattleLaunch(data, { registry: world.registry, contentDirs: [world.contentDir], binary: 'headless' });
      if (!plan.ok) throw new Error(plan.details);
      const runner = new EngineRunner({ tempBase: path.join(world.root, 'players'), stopGraceMs: 3_000 });
      runners.push(runner);
      await runner.launch(plan.request);
      await waitFor(() => serverUpdates(world.server, battle.battleId).some((u) => u.update.type === 'player_joined'), 30_000, 'the player to join');
      // Commands go to the engine only; `/adduser` carries a password.
      await world.endpoint().call('autohost/addPlayer', { battleId: battle.battleId, userId: 'u-bob', name: 'Bob', password: 's3cretPass' });
      await world.endpoint().call('autohost/kill', { battleId: battle.battleId });
      await waitFor(() => serverUpdates(world.server, battle.battleId).some((u) => u.update.type === 'engine_quit'), 30_000, 'engine_quit');

      const updates = serverUpdates(world.server, battle.battleId).map((u) => u.update);
      expect(updates.filter((u) => u.type === 'finished'), JSON.stringify(updates)).toEqual([]);
      expect(heard).toEqual([]);
      await waitFor(() => world.logger.lines.some((line) => /dropped \d+ UDP packets that did not come from its engine/.test(line)), 10_000, 'the strays in the log');
    } finally {
      answered = true;
      await flood.catch(() => undefined);
      for (const runner of runners) await runner.dispose();
      await new Promise<void>((resolve) => stray.close(() => resolve()));
    }
  }, 60_000);
});
