// The demo reader on files built by code: every field, the host demo's slack, and damage of every kind (cuts, bit flips, gzip bombs, foreign
// files) giving a ReplayError and nothing else.
import { mkdtempSync, rmSync } from 'node:fs';
import { open, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_REPLAY_BYTES, parseReplay, readReplay, ReplayError, type ReplayErrorCode } from '../../src-main/core/replays';
import { seededRandom } from '../support/schema-sampler';
import { buildDemo, gzipDemo, SAMPLE_SCRIPT } from './demo-builder';

const SEED = Number(process.env.REPLAY_FUZZ_SEED ?? 20261201);
const dir = mkdtempSync(join(tmpdir(), 'replay-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The code parseReplay rejects with; fails the test on anything that is not a ReplayError. */
async function codeOf(bytes: Buffer): Promise<ReplayErrorCode | 'ok'> {
  try {
    await parseReplay(bytes);
    return 'ok';
  } catch (error) {
    if (!(error instanceof ReplayError)) throw new Error(`not a ReplayError: ${String(error)}`);
    return error.code;
  }
}

async function fileCode(name: string, bytes: Buffer): Promise<ReplayError> {
  const file = join(dir, name);
  await writeFile(file, bytes);
  const error = await readReplay(file).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ReplayError);
  return error as ReplayError;
}

describe('readReplay on a whole demo', () => {
  it('reads the header, the roster from the start script, the winners and the duration', async () => {
    const file = join(dir, 'good.sdfz');
    await writeFile(file, gzipDemo(buildDemo({ engineVersion: '2025.04.01', gameTimeS: 754, wallTimeS: 760 })));
    const replay = await readReplay(file);
    expect(replay.header).toMatchObject({
      version: 5, headerSize: 352, engineVersion: '2025.04.01', gameId: '0123456789abcdeffedcba9876543210',
      startTime: 1796126794, gameTimeS: 754, wallTimeS: 760, numPlayers: 3, numTeams: 3, winningAllyTeamsSize: 1,
    });
    expect(replay.startedAt).toBe('2026-12-01T12:06:34.000Z');
    expect(replay).toMatchObject({ map: 'Tiny Flat', game: 'Test Game 1.0', durationS: 754, winners: [0], winnersMissing: false, chunks: 4 });
    expect(replay.players).toEqual([
      { name: 'Alice', team: 0, allyTeam: 0, spectator: false },
      { name: 'Bob', team: 1, allyTeam: 1, spectator: false },
      { name: 'Watcher', team: null, allyTeam: null, spectator: true },
    ]);
    expect(replay.teams).toEqual([{ id: 0, allyTeam: 0, leader: 0 }, { id: 1, allyTeam: 1, leader: 1 }, { id: 2, allyTeam: 1, leader: 0 }]);
    expect(replay.allyTeams).toEqual([0, 1]);
    expect(replay.bots).toEqual([{ name: 'Bot1', shortName: 'NullAI', team: 2, allyTeam: 1 }]);
  });

  it("tolerates spring-dedicated's missing winner byte (no team counted): the demo reads, its winners are unknown", async () => {
    const slack = buildDemo({ hostSlack: true });
    expect(slack.readInt32LE(332)).toBe(0);
    expect(slack.readInt32LE(348)).toBe(1);
    const replay = await parseReplay(gzipDemo(slack));
    expect(replay).toMatchObject({ map: 'Tiny Flat', winners: [], winnersMissing: true, header: { numTeams: 0, winningAllyTeamsSize: 1 } });
    // Two winners declared and neither written: two bytes short.
    expect(await parseReplay(gzipDemo(buildDemo({ hostSlack: true, winners: [0, 1] })))).toMatchObject({ winners: [], winnersMissing: true });
    // A demo that counted teams writes its winners: one byte short there is a cut file.
    const counted = buildDemo();
    expect(await codeOf(gzipDemo(counted.subarray(0, counted.length - 1)))).toBe('truncated');
    // Several winners and no slack.
    expect(await parseReplay(gzipDemo(buildDemo({ winners: [1, 0] })))).toMatchObject({ winners: [1, 0], winnersMissing: false });
  });

  it('refuses every other inconsistency: one byte too many is corrupt, two short is truncated', async () => {
    const demo = buildDemo();
    expect(await codeOf(gzipDemo(Buffer.concat([demo, Buffer.from([0])])))).toBe('corrupt');
    expect(await codeOf(gzipDemo(demo.subarray(0, demo.length - 2)))).toBe('truncated');
    // One short with no winner declared is no host demo.
    const noWinners = buildDemo({ winners: [] });
    expect(await codeOf(gzipDemo(noWinners.subarray(0, noWinners.length - 1)))).toBe('truncated');
  });
});

describe('damaged and foreign files', () => {
  it('a demo cut at any point of its content is truncated', async () => {
    for (const demo of [buildDemo(), buildDemo({ hostSlack: true })]) {
      // The slack demo is already short by its winner byte: one more byte off is a cut file too.
      for (let cut = 0; cut < demo.length; cut++) {
        const code = await codeOf(gzipDemo(demo.subarray(0, cut)));
        expect(code, `cut at ${cut} of ${demo.length}`).toBe('truncated');
      }
    }
  });

  it('a file cut at any point of its gzip data is truncated (one byte is not even gzip)', async () => {
    const file = gzipDemo(buildDemo());
    const codes = new Set<string>();
    for (let cut = 1; cut < file.length; cut++) {
      const code = await codeOf(file.subarray(0, cut));
      expect(code, `cut at ${cut}`).toBe(cut < 2 ? 'not_a_demo' : 'truncated');
      codes.add(code);
    }
    expect(codes).toEqual(new Set(['not_a_demo', 'truncated']));
  });

  it(`bit flips in the header and its sizes and offsets give a demo or a ReplayError, never anything else (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const demo = buildDemo();
    const counts: Record<string, number> = {};
    for (let n = 0; n < 3000; n++) {
      const copy = Buffer.from(demo);
      const flips = 1 + Math.floor(random() * 3);
      for (let f = 0; f < flips; f++) {
        // Mostly the version, header size and the section sizes; sometimes anywhere in the header or the script.
        const region = random();
        const at = region < 0.7 ? 304 + Math.floor(random() * 48) : region < 0.8 ? 16 + Math.floor(random() * 8) : Math.floor(random() * (352 + 64));
        copy[at]! ^= 1 << Math.floor(random() * 8);
      }
      const code = await codeOf(gzipDemo(copy));
      counts[code] = (counts[code] ?? 0) + 1;
    }
    // The flips reach every kind of check.
    for (const code of ['ok', 'corrupt', 'truncated', 'unsupported_version']) expect(counts[code], JSON.stringify(counts)).toBeGreaterThan(0);
  });

  it('bit flips in the gzip data itself give a ReplayError (the gzip checksum) or a demo', async () => {
    const random = seededRandom(SEED + 1);
    const file = gzipDemo(buildDemo());
    for (let n = 0; n < 1000; n++) {
      const copy = Buffer.from(file);
      copy[Math.floor(random() * copy.length)]! ^= 1 << Math.floor(random() * 8);
      expect(['ok', 'corrupt', 'truncated', 'not_a_demo', 'unsupported_version', 'too_large']).toContain(await codeOf(copy));
    }
  });

  it('a gzip bomb is refused as too_large without unpacking it whole', async () => {
    const bomb = await new Promise<Buffer>((resolve, reject) => {
      const gzip = createGzip({ level: 9 });
      const parts: Buffer[] = [];
      gzip.on('data', (chunk: Buffer) => parts.push(chunk));
      gzip.on('end', () => resolve(Buffer.concat(parts)));
      gzip.on('error', reject);
      const zeros = Buffer.alloc(1024 * 1024);
      gzip.write(buildDemo().subarray(0, 352));
      for (let i = 0; i < MAX_REPLAY_BYTES / zeros.length + 8; i++) gzip.write(zeros);
      gzip.end();
    });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const error = await fileCode('bomb.sdfz', bomb);
    expect(error.code).toBe('too_large');
  });

  it('a file larger than the cap on disk is too_large before it is read', async () => {
    const file = join(dir, 'huge.sdfz');
    const handle = await open(file, 'w');
    await handle.truncate(MAX_REPLAY_BYTES + 1); // sparse: nothing is written
    await handle.close();
    const error = await readReplay(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayError);
    expect((error as ReplayError).code).toBe('too_large');
  });

  it('a zero-length file and a half-written one (header, no sections) are "still being written or truncated"', async () => {
    const empty = await fileCode('empty.sdfz', Buffer.alloc(0));
    expect(empty.code).toBe('truncated');
    expect(empty.message).toMatch(/still being written or truncated/);
    const half = await fileCode('half.sdfz', gzipDemo(buildDemo().subarray(0, 352)));
    expect(half.code).toBe('truncated');
    expect(half.message).toMatch(/still being written or truncated/);
  });

  it('a file that is not gzip, gzip that is not a demo, and another demo version are refused by name', async () => {
    expect((await fileCode('text.sdfz', Buffer.from('hello, not a demo'))).code).toBe('not_a_demo');
    expect((await fileCode('other.sdfz', gzipSync(Buffer.from('{"some":"json"}')))).code).toBe('not_a_demo');
    const v4 = buildDemo();
    v4.writeInt32LE(4, 16);
    const old = await fileCode('v4.sdfz', gzipDemo(v4));
    expect(old.code).toBe('unsupported_version');
    expect(old.message).toMatch(/version 4/);
  });

  it('a symlink and a directory are not read', async () => {
    const target = join(dir, 'target.sdfz');
    await writeFile(target, gzipDemo(buildDemo()));
    await symlink(target, join(dir, 'link.sdfz'));
    for (const path of [join(dir, 'link.sdfz'), dir]) {
      const error = await readReplay(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReplayError);
      expect((error as ReplayError).code).toBe('not_a_demo');
    }
    const missing = await readReplay(join(dir, 'missing.sdfz')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ReplayError);
    expect((missing as ReplayError).code).toBe('not_a_demo');
  });

  it('a start script that does not parse, or has no [game], is corrupt', async () => {
    const bad = [
      '[game]\n{\nmapname=x;\n', // unclosed
      '[other]\n{\nmapname=x;\n}\n', // no [game]
      '[game]\n{\nmapname x\n}\n', // no =
      `${'[a]{'.repeat(20)}${'}'.repeat(20)}`, // too deep
      '[game]\n{\n/* unclosed comment\n}\n',
      `[game]\n{\n${Array.from({ length: 25_000 }, (_, i) => `k${i}=1;`).join('')}\n}\n`, // too many entries
    ];
    for (const script of bad) expect(await codeOf(gzipDemo(buildDemo({ script }))), script.slice(0, 40)).toBe('corrupt');
    expect(SAMPLE_SCRIPT).toContain('[game]');
  });

  it('hostile text in names is handed over as it is (the printers neutralise it), clipped in length', async () => {
    const script = SAMPLE_SCRIPT.replace('name=Alice;', `name=\u001b[2J\u202eevil${'x'.repeat(600)};`);
    const replay = await parseReplay(gzipDemo(buildDemo({ script })));
    expect(replay.players[0]!.name.startsWith('\u001b[2J\u202eevil')).toBe(true);
    expect(replay.players[0]!.name.length).toBe(256);
  });
});
