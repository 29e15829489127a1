// `npm run engine:test-content -- <dir>` writes the tiny game and map that the content check (and the engine) accept.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkContent } from '../../src-main/core/engine/content-check';
import { TEST_GAME_NAME, TEST_MAP_NAME, buildSmf, buildSmt } from '../../src-main/core/engine/test-content';

const run = promisify(execFile);
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'test-content-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('engine:test-content', () => {
  it('writes the game and map (sdd and sdz) where the content check finds them', async () => {
    const tsx = path.resolve('node_modules/.bin/tsx');
    const { stdout } = await run(tsx, ['src-main/cli/engine-test-content.ts', path.join(dir, 'sdd')]);
    expect(stdout).toContain(`wrote game "${TEST_GAME_NAME}"`);
    await run(tsx, ['src-main/cli/engine-test-content.ts', path.join(dir, 'sdz'), '--format', 'sdz']);
    for (const sub of ['sdd', 'sdz']) {
      expect((await checkContent({ dataDirs: [path.join(dir, sub)], gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME })).ok).toBe(true);
    }
    await expect(run(tsx, ['src-main/cli/engine-test-content.ts'])).rejects.toMatchObject({ code: 2 });
  }, 30_000);

  it('builds SMF and SMT files of the sizes the engine expects', () => {
    expect(buildSmt().length).toBe(32 + 680);
    const smf = buildSmf('x.smt');
    expect(smf.subarray(0, 16).toString('latin1')).toBe('spring map file\0');
    const minimapAt = smf.readInt32LE(52 + 12);
    const metalAt = smf.readInt32LE(52 + 16);
    expect(metalAt - minimapAt).toBe(699_048);
  });
});
