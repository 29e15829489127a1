// `npm run replays -- list|watch` on folders built by code: one record per demo, damaged ones named, hostile text neutralised, bad usage refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo, gzipDemo, SAMPLE_SCRIPT } from './demo-builder';
import { runReplaysCli } from './replays-cli-process';

const dataDir = mkdtempSync(join(tmpdir(), 'replays-cli-'));
// No `;`: it would end the value in the script (the engine's own scripts cannot hold one either).
// Controls (but the line feed), C1, the line separator and the bidi override: what must never reach a terminal raw.
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u202e]/;
const HOSTILE = '\u001b[2J\u001b]0:pwned\u0007Eve\u2028x\u202e';
beforeAll(async () => {
  const replays = join(dataDir, 'replays');
  await mkdir(replays);
  await writeFile(join(replays, '20261201_100000_Tiny Flat_.sdfz'), gzipDemo(buildDemo()));
  await writeFile(join(replays, '20261201_110000_Tiny Flat_.sdfz'), gzipDemo(buildDemo().subarray(0, 500)));
  await writeFile(join(replays, '20261201_120000_Evil_.sdfz'), gzipDemo(buildDemo({ script: SAMPLE_SCRIPT.replace('name=Bob;', `name=${HOSTILE};`).replace('mapname=Tiny Flat;', `mapname=${HOSTILE}Map;`) })));
  await writeFile(join(replays, 'notes.txt'), 'not listed');
  await symlink(join(replays, '20261201_100000_Tiny Flat_.sdfz'), join(replays, '20261201_130000_link_.sdfz'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('replays list', () => {
  it('--json: one record per demo, newest name first, the damaged one with its error; symlinks and other files left out', async () => {
    const { code, stdout } = await runReplaysCli(['list', '--data-dir', dataDir, '--json']);
    expect(code).toBe(0);
    const records = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => r.file)).toEqual(['20261201_120000_Evil_.sdfz', '20261201_110000_Tiny Flat_.sdfz', '20261201_100000_Tiny Flat_.sdfz']);
    expect(records[1]).toEqual({ kind: 'replay', file: '20261201_110000_Tiny Flat_.sdfz', damaged: true, error: 'truncated', message: 'the demo is still being written or truncated' });
    expect(records[2]).toEqual({
      kind: 'replay', file: '20261201_100000_Tiny Flat_.sdfz', map: 'Tiny Flat', game: 'Test Game 1.0', engine: '', startedAt: '2026-12-01T12:06:34.000Z', durationS: 2,
      players: [{ name: 'Alice', team: 0, allyTeam: 0 }, { name: 'Bob', team: 1, allyTeam: 1 }, { name: 'Watcher', team: null, allyTeam: null, spectator: true }],
      bots: [{ name: 'Bot1', shortName: 'NullAI', team: 2, allyTeam: 1 }],
      winners: [0],
    });
    // JSON keeps the text (escaped): the record is the same value, and no raw control reaches the terminal.
    expect((records[0]!.players as Array<{ name: string }>)[1]!.name).toBe(HOSTILE);
    expect(stdout).not.toMatch(RAW_CONTROL);
  });

  it('human lines neutralise hostile text from a demo the way the headless client does', async () => {
    const { code, stdout } = await runReplaysCli(['list', '--data-dir', dataDir]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('\ufffd[2J\ufffd]0:pwned\ufffdEve\ufffdx\ufffd');
    expect(stdout).not.toMatch(RAW_CONTROL);
    expect(lines[1]).toBe('20261201_110000_Tiny Flat_.sdfz  damaged: the demo is still being written or truncated');
    expect(lines[2]).toBe('20261201_100000_Tiny Flat_.sdfz  2026-12-01T12:06:34.000Z  Tiny Flat  Test Game 1.0  2 s  Alice (won) vs Bob, NullAI (AI)');
  });

  it('an empty or missing replays folder lists nothing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'replays-cli-empty-'));
    try {
      expect(await runReplaysCli(['list', '--data-dir', empty, '--json'])).toMatchObject({ code: 0, stdout: '' });
      expect(await runReplaysCli(['list', '--data-dir', empty])).toMatchObject({ code: 0, stdout: 'no replays\n' });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('replays usage', () => {
  it('refuses unknown commands and options with 64, and watch refuses a damaged demo with 1 before any engine starts', async () => {
    for (const args of [[], ['frobnicate'], ['list', 'extra'], ['watch'], ['list', '--bogus']]) {
      const result = await runReplaysCli([...args, '--data-dir', dataDir]);
      expect(result.code, args.join(' ')).toBe(64);
      expect(result.stderr).toContain('usage: npm run replays');
    }
    const damaged = await runReplaysCli(['watch', '20261201_110000_Tiny Flat_.sdfz', '--data-dir', dataDir, '--engine', '/nonexistent/spring-headless']);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain('still being written or truncated');
    // A whole demo with an engine that is not there: exit 1, and why; its private dir is gone.
    const missing = await runReplaysCli(['watch', '20261201_100000_Tiny Flat_.sdfz', '--data-dir', dataDir, '--engine', '/nonexistent/spring-headless']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('the engine could not be started: spawn /nonexistent/spring-headless ENOENT');
    expect(await readdir(join(dataDir, 'engine-runs'))).toEqual([]);
  });
});
