// Test support: an engine release archive made from the installed Debian engine, laid out as Recoil's are (binaries and
// base content at the root, AI/Skirmish, files.md5.gz listing every file), packed by the same 7-Zip the lobby uses.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { pack7z } from './seven-zip-pack';

export const DEBIAN_HEADLESS = '/usr/games/spring-headless';
export const DEBIAN_DEDICATED = '/usr/games/spring-dedicated';
const DEBIAN_BASE = '/usr/share/games/spring/base';

export interface EngineArchive {
  readonly archive: Buffer;
  /** The files it holds, relative, '/'-separated. */
  readonly files: readonly string[];
}

async function walk(dir: string, sub = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true })) {
    const rel = sub ? `${sub}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

/**
 * spring-headless and spring-dedicated (they run from any folder: Debian's build finds its libraries and base content
 * itself) with a copy of base/ so the folder is a data dir of its own, as a Recoil release is. `mutate` may change the
 * staged folder before packing (a hostile or broken archive); files.md5.gz is written before it runs.
 */
export async function makeEngineArchive(work: string, options: { mutate?: (dir: string) => Promise<void>; md5sums?: boolean } = {}): Promise<EngineArchive> {
  const dir = path.join(work, 'engine-src');
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'AI', 'Skirmish'), { recursive: true });
  await mkdir(path.join(dir, 'base'), { recursive: true });
  await copyFile(DEBIAN_HEADLESS, path.join(dir, 'spring-headless'));
  await copyFile(DEBIAN_DEDICATED, path.join(dir, 'spring-dedicated'));
  for (const name of await readdir(DEBIAN_BASE)) if (name.endsWith('.sdz')) await copyFile(path.join(DEBIAN_BASE, name), path.join(dir, 'base', name));
  await writeFile(path.join(dir, 'AI', 'Skirmish', 'README.txt'), 'no AIs in the test engine\n');
  const files = await walk(dir);
  if (options.md5sums ?? true) {
    const lines = await Promise.all(files.map(async (f) => `${createHash('md5').update(await readFile(path.join(dir, f))).digest('hex')}  ./${f}\n`));
    await writeFile(path.join(dir, 'files.md5.gz'), zlib.gzipSync(lines.join('')));
  }
  await options.mutate?.(dir);
  const archive = path.join(work, 'engine.7z');
  // Stored, not compressed: quick to make; 7-Zip still checks every file's CRC.
  await pack7z(dir, archive, { level: 0 });
  const bytes = await readFile(archive);
  await rm(archive, { force: true });
  return { archive: bytes, files: await walk(dir) };
}
