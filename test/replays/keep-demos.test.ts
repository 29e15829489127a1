// keepDemos: a battle's finished demos move from its write dir into the replays folder; names are checked, symlinks never followed, nothing overwritten.
import { mkdtempSync, rmSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keepDemos } from '../../src-main/core/engine';

const base = mkdtempSync(join(tmpdir(), 'keep-demos-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

/** A write dir with `demos/` and `demos-server/` holding the given files, and an empty replays folder beside it. */
async function battleDir(files: Record<string, string>): Promise<{ writeDir: string; replays: string }> {
  const root = join(base, `b${++n}`);
  const writeDir = join(root, 'write');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(writeDir, name, '..'), { recursive: true });
    await writeFile(join(writeDir, name), content);
  }
  await mkdir(writeDir, { recursive: true });
  return { writeDir, replays: join(root, 'data', 'replays') };
}

describe('keepDemos', () => {
  it("moves a client's and the host's demo into a new 0700 replays folder, names kept, sources gone", async () => {
    const { writeDir, replays } = await battleDir({
      'demos/20261201_071748_Tachyon Test Map_.sdfz': 'client',
      'demos-server/20261201_071745_Tachyon Test Map_.sdfz': 'host',
    });
    const result = await keepDemos(writeDir, replays);
    expect(result.skipped).toEqual([]);
    expect(result.kept.map((k) => [k.from, k.file, k.bytes]).sort()).toEqual([
      ['demos', '20261201_071748_Tachyon Test Map_.sdfz', 6],
      ['demos-server', '20261201_071745_Tachyon Test Map_.sdfz', 4],
    ]);
    expect((await lstat(replays)).mode & 0o777).toBe(0o700);
    expect(await readFile(join(replays, '20261201_071748_Tachyon Test Map_.sdfz'), 'utf8')).toBe('client');
    expect(await readdir(join(writeDir, 'demos'))).toEqual([]);
    expect(await readdir(join(writeDir, 'demos-server'))).toEqual([]);
  });

  it('never overwrites: a name already in the folder gets -1, -2 before .sdfz', async () => {
    const name = '20261201_071748_Map_.sdfz';
    const first = await battleDir({ [`demos/${name}`]: 'one' });
    await keepDemos(first.writeDir, first.replays);
    for (const content of ['two', 'three']) {
      const next = await battleDir({ [`demos/${name}`]: content });
      const { kept } = await keepDemos(next.writeDir, first.replays);
      expect(kept).toHaveLength(1);
    }
    expect((await readdir(first.replays)).sort()).toEqual(['20261201_071748_Map_-1.sdfz', '20261201_071748_Map_-2.sdfz', name]);
    expect(await readFile(join(first.replays, name), 'utf8')).toBe('one');
    expect(await readFile(join(first.replays, '20261201_071748_Map_-2.sdfz'), 'utf8')).toBe('three');
  });

  it('leaves symlinks, odd names, empty files, folders and other files behind', async () => {
    const secret = join(base, 'secret.txt');
    await writeFile(secret, 'not yours');
    const { writeDir, replays } = await battleDir({
      'demos/.hidden.sdfz': 'x',
      'demos/-option.sdfz': 'x',
      'demos/notes.txt': 'x',
      'demos/bidi\u202eevil.sdfz': 'x',
      'demos/line\nbreak.sdfz': 'x',
      'demos/20261201_000000_empty_.sdfz': '',
      'demos/20261201_000001_good_.sdfz': 'good',
    });
    await symlink(secret, join(writeDir, 'demos', '20261201_000002_link_.sdfz'));
    await mkdir(join(writeDir, 'demos', 'folder.sdfz'));
    const result = await keepDemos(writeDir, replays);
    expect(result.kept.map((k) => k.file)).toEqual(['20261201_000001_good_.sdfz']);
    const why = Object.fromEntries(result.skipped.map((s) => [s.name, s.why]));
    expect(why).toMatchObject({
      '.hidden.sdfz': 'not a demo file name',
      '-option.sdfz': 'not a demo file name',
      'notes.txt': 'not a demo file name',
      'bidi\u202eevil.sdfz': 'not a demo file name',
      'line\nbreak.sdfz': 'not a demo file name',
      '20261201_000000_empty_.sdfz': 'empty: the engine never filled it',
      '20261201_000002_link_.sdfz': 'not a regular file',
      'folder.sdfz': 'not a regular file',
    });
    expect(await readdir(replays)).toEqual(['20261201_000001_good_.sdfz']);
    expect(await readFile(secret, 'utf8')).toBe('not yours');
  });

  it('does not follow a symlinked demos folder, nor write into a replays "folder" that is a symlink', async () => {
    const elsewhere = join(base, 'elsewhere');
    await mkdir(elsewhere, { recursive: true });
    await writeFile(join(elsewhere, '20261201_000003_x_.sdfz'), 'planted');
    const { writeDir, replays } = await battleDir({});
    await symlink(elsewhere, join(writeDir, 'demos'));
    expect(await keepDemos(writeDir, replays)).toEqual({ kept: [], skipped: [] });
    expect(await readdir(elsewhere)).toEqual(['20261201_000003_x_.sdfz']);

    const other = await battleDir({ 'demos/20261201_000004_y_.sdfz': 'demo' });
    const target = join(base, 'link-target');
    await mkdir(target);
    await mkdir(join(other.replays, '..'), { recursive: true });
    await symlink(target, other.replays);
    const result = await keepDemos(other.writeDir, other.replays);
    expect(result.kept).toEqual([]);
    expect(result.skipped).toEqual([{ name: '20261201_000004_y_.sdfz', why: 'the replays folder is not a directory' }]);
    expect(await readdir(target)).toEqual([]);
  });

  it('looks at no more than 16 files per folder, and a write dir without demos keeps nothing', async () => {
    const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`demos/20261201_0000${String(i).padStart(2, '0')}_m_.sdfz`, 'd']));
    const { writeDir, replays } = await battleDir(files);
    const result = await keepDemos(writeDir, replays);
    expect(result.kept).toHaveLength(16);
    expect(result.skipped).toEqual([{ name: 'demos', why: 'more than 16 files: the rest are not kept' }]);
    const none = await battleDir({ 'infolog.txt': 'log' });
    expect(await keepDemos(none.writeDir, none.replays)).toEqual({ kept: [], skipped: [] });
    expect(await readdir(join(none.replays, '..')).catch(() => 'absent')).toBe('absent');
  });
});
