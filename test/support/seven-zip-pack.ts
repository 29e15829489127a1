// Test support: 7-Zip archives made by the same 7-Zip the lobby uses (engine .7z, .sd7 maps), from a folder's contents.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { locateSevenZip } from '../../src-main/core/content/seven-zip';

export interface PackOptions {
  /** Solid blocks (7-Zip's default, as Recoil's release archives); `false` as maps are packed (`-ms=off`). */
  readonly solid?: boolean;
  /** Only these paths, relative to the folder (default: all of it). */
  readonly only?: readonly string[];
  /** Compression level 0-9 (7-Zip's -mx; default 5). */
  readonly level?: number;
}

/** Packs the contents of `dir` (its entries at the archive root) into a new `archive`. */
export async function pack7z(dir: string, archive: string, options: PackOptions = {}): Promise<void> {
  const sevenZip = await locateSevenZip();
  const target = path.resolve(archive);
  await rm(target, { force: true });
  const args = ['a', '-t7z', '-bd', '-y', `-ms=${options.solid === false ? 'off' : 'on'}`, `-mx=${options.level ?? 5}`, '--', target, ...(options.only ?? ['.'])];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(sevenZip.path, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`7za a failed (${code}): ${stderr.slice(0, 500)}`))));
  });
}
