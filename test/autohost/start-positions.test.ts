// Which start positions spring-dedicated 106 starts with when the host script carries recoil-autohost's `ModHash = 1;
// MapHash = 1` lines, on the real engine; and that the server's autohost/start asks for one that starts with both scripts.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AutohostStartRequestData } from 'tachyon-protocol/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestFailedError } from '../../src-main/core/protocol/endpoint';
import { startRequest } from '../../src-main/core/server/autohost-fleet';
import { battleData, createWorld, waitFor, type AutohostWorld } from './support';

type StartPosType = AutohostStartRequestData['startPosType'];
const players = [{ userId: 'u-alice', name: 'Alice', password: 'alice-pw-5521' }, { userId: 'u-bob', name: 'Bob', password: 'bob-pw-7730' }];

/** Starts a battle, reads its script while it runs, and ends it: `started` or the failure reason with its details. */
async function tryStart(world: AutohostWorld, startPosType: StartPosType): Promise<{ outcome: string; script: string }> {
  const data = battleData(players, { startPosType });
  try {
    await world.endpoint().call('autohost/start', data);
  } catch (error) {
    if (!(error instanceof RequestFailedError)) throw error;
    return { outcome: `${error.reason}: ${error.details ?? ''}`, script: '' };
  }
  // One battle runs at a time here: its directory is the only one.
  const [dir] = (await readdir(world.battlesDir)).filter((name) => name.startsWith('battle-'));
  const script = dir ? await readFile(path.join(world.battlesDir, dir, 'script.txt'), 'utf8') : '';
  await world.endpoint().call('autohost/kill', { battleId: data.battleId });
  await waitFor(() => world.server.autohosts.statusOf(world.clientId)?.currentBattles === 0, 15_000, 'the killed battle to be gone');
  return { outcome: 'started', script };
}

describe.each([
  { script: 'recoil-autohost\'s (ModHash = 1; MapHash = 1)', absentHash: '1' as const, starts: ['ingame', 'beforegame'] },
  { script: 'the local autohost\'s (no hash lines)', absentHash: 'omit' as const, starts: ['fixed', 'random', 'ingame', 'beforegame'] },
])('spring-dedicated with $script script', ({ absentHash, starts }) => {
  let world: AutohostWorld;
  beforeAll(async () => {
    world = await createWorld({ absentHash });
  });
  afterAll(async () => {
    await world?.close();
  });

  it.each(['fixed', 'random', 'ingame', 'beforegame'] as const)('with startPosType %s', async (startPosType) => {
    const { outcome, script } = await tryStart(world, startPosType);
    if (starts.includes(startPosType)) {
      expect(outcome).toBe('started');
      if (absentHash === '1') expect(script).toMatch(/ModHash\s*=\s*1;[\s\S]*MapHash\s*=\s*1;/);
      else expect(script).not.toMatch(/ModHash|MapHash/);
    } else {
      // The engine reads the map's start positions, which it has not mounted with a script hash, and exits with 21.
      expect(outcome).toMatch(/^internal_error: .*\b21\b/);
    }
  });
});

describe('the server\'s autohost/start', () => {
  it('asks for beforegame, which starts with either script, and a one-second countdown', () => {
    const playlist = { id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: 'g', map: 'm' };
    const request = startRequest({ battleId: '00000000-0000-4000-8000-000000000001', playlist, players: players.map((p, team) => ({ ...p, team })) });
    expect(request.startPosType).toBe('beforegame');
    expect(request.startDelay).toBe(1);
  });
});
