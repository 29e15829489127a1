// The local autohost's spring-dedicated processes (real engine): gone after close(), and gone when the lobby process dies without one.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { battleData, createWorld, waitFor } from './support';
import { engineDescendants, processRunning } from '../support/processes';

const alice = { userId: 'u-alice', name: 'Alice', password: 'alice-pw-55120' };

describe('spring-dedicated processes of the local autohost', () => {
  it('close() leaves no spring-dedicated below this process', async () => {
    const world = await createWorld();
    try {
      const battles = [battleData([alice]), battleData([alice])];
      for (const battle of battles) await world.endpoint().call('autohost/start', battle);
      const pids = battles.map((b) => world.autohost.enginePid(b.battleId)!);
      expect(engineDescendants().map((d) => Number(d.split(' ')[0])).sort()).toEqual([...pids].sort());
    } finally {
      await world.close();
    }
    expect(engineDescendants()).toEqual([]);
  }, 60_000);

  for (const how of ['exit', 'throw'] as const) {
    it(`a lobby process that ends by ${how === 'exit' ? 'process.exit()' : 'an uncaught exception'} without close() takes its spring-dedicated with it`, async () => {
      const root = await mkdtemp(path.join(os.tmpdir(), 'autohost-die-'));
      let enginePid: number | undefined;
      try {
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'host-and-die.ts'), root, how], { stdio: ['ignore', 'pipe', 'ignore'] });
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        const lines = createInterface({ input: child.stdout! });
        const first = await new Promise<string | undefined>((resolve) => {
          lines.once('line', resolve);
          lines.once('close', () => resolve(undefined));
        });
        expect(first, 'the fixture printed no engine pid').toBeDefined();
        enginePid = (JSON.parse(first!) as { pid: number }).pid;
        expect(enginePid).toBeGreaterThan(0);
        expect(await exited).toBe(how === 'exit' ? 0 : 1);
        // SIGKILL went out before the process ended; the kernel finishes it at once.
        await waitFor(() => !processRunning(enginePid!), 5_000, `spring-dedicated ${enginePid} to die with its lobby process`);
      } finally {
        if (enginePid !== undefined && processRunning(enginePid)) process.kill(enginePid, 'SIGKILL');
        await rm(root, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
