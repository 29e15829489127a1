// The one private-file writer, on real files: 0600 whatever was there, a planted link replaced and never followed, no temp left.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writePrivateFile, writePrivateFileSync } from '../../src-main/core/files/private-file';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'private-file-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['sync', async (path: string, data: string) => writePrivateFileSync(path, data)],
  ['async', (path: string, data: string) => writePrivateFile(path, data)],
])('private file writer (%s)', (_name, write) => {
  it('replaces a world-readable file with a 0600 one', async () => {
    const dir = tempDir();
    const file = join(dir, 'secret.json');
    writeFileSync(file, 'old', { mode: 0o666 });
    await write(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['secret.json']);
  });

  it('replaces a planted symlink instead of writing through it', async () => {
    const dir = tempDir();
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'untouched', { mode: 0o644 });
    const file = join(dir, 'secret.json');
    symlinkSync(victim, file);
    await write(file, 'token');
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(readFileSync(file, 'utf8')).toBe('token');
  });

  it('leaves no temp file behind when the rename fails', async () => {
    const dir = tempDir();
    const target = join(dir, 'a-directory');
    // rename(2) over a non-empty directory fails.
    mkdirSync(join(target, 'inside'), { recursive: true });
    await expect(write(target, 'x')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['a-directory']);
  });
});
