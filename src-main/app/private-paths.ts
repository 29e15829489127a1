// Folders and files only this OS user may read: 0700 and 0600, set on paths that already exist too (mkdir's mode applies only to new ones).
import { chmodSync, mkdirSync, statSync } from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

// Symlinks are followed (a profile or data folder linked elsewhere is common); the mode is set on what they point to.

/** Creates `dir` (and parents) as needed and makes it 0700. Throws when it is not a folder. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const stats = statSync(dir);
  if (!stats.isDirectory()) throw new Error(`${dir} is not a folder`);
  if ((stats.mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Makes an existing file 0600; a missing file is left missing. Throws when it is not a plain file. */
export function ensurePrivateFile(file: string): void {
  let stats;
  try {
    stats = statSync(file);
  } catch {
    return;
  }
  if (!stats.isFile()) throw new Error(`${file} is not a plain file`);
  if ((stats.mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(file, PRIVATE_FILE_MODE);
}
