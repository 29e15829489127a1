// The headless client as a real process with a real engine: --engine and --content choose what runs, and it reports the launch, the engine's status and the end.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineRegistry, TEST_GAME_NAME, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { startRealHost } from '../engine/real-host';
import { spawnHeadless } from '../support/headless-process';
import { recordLog, recordSecrets } from '../support/secret-ledger';
import { controlsOf } from '../support/server-controls';

let base: string;
let contentDir: string;
beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'lobby-headless-engine-'));
  contentDir = join(base, 'content');
  await writeTestContent(contentDir, { gameOverFrame: 45 });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('headless client with a real engine', () => {
  it('launches spring-headless from battle/start and reports engine status and battle end', async () => {
    const version = (await EngineRegistry.discover()).versions[0] ?? '';
    const server = new TachyonServer({ rateLimit: null });
    await server.listen(0);
    const { userId, token } = server.addPlayer('alice');
    recordSecrets(token, 's3cret-pw');
    const host = await startRealHost(join(base, 'host'), contentDir, {
      battleId: randomUUID(), engineVersion: version, gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME, startPosType: 'fixed',
      allyTeams: [{ teams: [{ players: [{ userId, name: 'alice', password: 's3cret-pw' }] }] }],
    });
    const run = spawnHeadless(['--server', server.baseUrl, '--json', '--data-dir', join(base, 'data'), '--engine', '/usr/games/spring-headless', '--content', contentDir],
      { TACHYON_TOKEN: token });
    const { child, stdout: out, stderr: err } = run;
    const records = () => run.records();
    const until = async (probe: () => boolean, ms: number) => {
      const t = Date.now();
      while (!probe()) {
        if (Date.now() - t > ms) throw new Error(`timed out; stdout: ${out.join('\n')}\nstderr: ${err.join('')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      await until(() => records().some((r) => r.kind === 'connection' && r.state === 'connected'), 10_000);
      const response = await controlsOf(server).request(userId, 'battle/start', {
        username: 'alice', password: 's3cret-pw', ip: '127.0.0.1', port: host.port,
        engine: { version }, game: { springName: TEST_GAME_NAME }, map: { springName: TEST_MAP_NAME },
      });
      expect(response.status).toBe('success');
      // The engine's exit and the battle's end are two records, written one after the other: they can reach the pipe in two chunks.
      await until(() => records().some((r) => r.kind === 'engine' && r.status === 'offline' && r.exitCode === 0)
        && records().some((r) => r.kind === 'battle' && r.phase === 'ended'), 40_000);
      const engine = records().filter((r) => r.kind === 'engine').map((r) => r.status);
      expect(engine).toEqual(expect.arrayContaining(['starting', 'running', 'offline']));
      const battles = records().filter((r) => r.kind === 'battle').map((r) => r.phase);
      expect(battles).toEqual(['launching', 'running', 'ended']);
      expect(records().find((r) => r.kind === 'battle')).toMatchObject({ map: TEST_MAP_NAME, game: TEST_GAME_NAME, engine: version });
      expect([...out, ...err].join('\n')).not.toContain('s3cret-pw');
      expect([...out, ...err].join('\n')).not.toContain(token);
    } finally {
      recordLog([...out, ...err]);
      child.kill('SIGTERM');
      await run.exited;
      await host.stop();
      await server.close();
    }
  }, 60_000);
});
