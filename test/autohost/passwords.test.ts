// Short passwords (one and two characters) on a stand-in engine that echoes them: never in an autohost/update, a crash detail or the log;
// luamsgRegexp matched without backtracking.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { battleData, createWorld, serverUpdates, waitFor, type AutohostWorld } from './support';
import { luamsgPacket, standInEngine, textPacket, writeStandInPlan } from './stand-in-engine';

let world: AutohostWorld;
let engineDir: string;

beforeAll(async () => {
  engineDir = await mkdtemp(path.join(os.tmpdir(), 'autohost-stand-in-'));
  world = await createWorld({ registry: await standInEngine(engineDir), checkContent: false });
});

afterAll(async () => {
  await world?.close();
  await rm(engineDir, { recursive: true, force: true });
});

const alice = { userId: 'u-alice', name: 'Alice', password: 'Q' };
const bob = { userId: 'u-bob', name: 'Bob', password: 'Zq' };
const SHORT_PASSWORD = /(?<![\p{L}\p{N}_])(Q|Zq)(?![\p{L}\p{N}_])/u;

describe('what the engine says, on its way to the server and the log', () => {
  it('carries no 1- or 2-character password; luamsg ^(a+)+$ passes 30 a\'s and drops the near miss', async () => {
    await writeStandInPlan(world.root, {
      packets: [
        textPacket(4, 'Password=Q; user Q with Zq'),
        textPacket(5, 'bad password Zq for Alice (Zq)'),
        luamsgPacket(0, 'a'.repeat(30)),
        luamsgPacket(0, `${'a'.repeat(29)}b`),
      ],
      output: ['Error: Alice Q Zq'],
      exitCode: 3,
    });
    const battle = battleData([alice, bob], { luamsgRegexp: '^(a+)+$' });
    await world.endpoint().call('autohost/start', battle);
    // The stand-in plays its part once it hears from the autohost.
    await world.endpoint().call('autohost/sendMessage', { battleId: battle.battleId, message: 'go' });
    await waitFor(() => serverUpdates(world.server, battle.battleId).some((u) => u.update.type === 'engine_crash'), 10_000, 'engine_crash at the server');

    const updates = serverUpdates(world.server, battle.battleId).map((u) => u.update);
    expect(updates).toEqual([
      { type: 'engine_message', message: 'Password=[redacted]; user [redacted] with [redacted]' },
      { type: 'engine_warning', message: 'bad password [redacted] for Alice ([redacted])' },
      { type: 'luamsg', userId: 'u-alice', script: 'rules', data: Buffer.from('a'.repeat(30)).toString('base64') },
      { type: 'engine_crash', details: 'spring-dedicated exited with code 3; last output: Error: Alice [redacted] [redacted]' },
    ]);
    const log = world.logger.lines.join('\n');
    expect(log).toContain('spring-dedicated exited with code 3');
    expect(log).not.toMatch(SHORT_PASSWORD);
    expect(JSON.stringify(world.autohost.hostedBattles)).not.toMatch(SHORT_PASSWORD);
  });
});
