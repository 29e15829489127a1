// Writes a secret file for the owner only: a fresh 0600 file in the same directory renamed into place, never through a symlink or into a directory others may swap files in.
import { lstatSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { writePrivateFileSync } from '../core/files/private-file';

/**
 * `writeFileSync(path, text, { mode: 0o600 })` sets the mode only when it creates the file, and follows a symlink: a
 * file planted beforehand with mode 0666, or a link to somewhere else, would receive the secret. Instead the text goes
 * into a new file (O_EXCL, then fchmod against the umask) and rename(2) swaps it in: an existing file is replaced, not
 * rewritten, and rename never follows a link at the target.
 */
export function writePrivateFile(path: string, text: string): void {
  checkPrivatePath(path);
  writePrivateFileSync(path, text);
}

/** Throws when `path` is a symlink or not a regular file, or sits in a directory others can write to without the sticky bit. */
export function checkPrivatePath(path: string): void {
  let target: ReturnType<typeof lstatSync> | null = null;
  try {
    target = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (target?.isSymbolicLink()) throw new Error(`${path} is a symbolic link: refusing to write secrets through it`);
  if (target && !target.isFile()) throw new Error(`${path} exists and is not a regular file`);
  const dir = statSync(dirname(path));
  // In a shared directory without the sticky bit (like /tmp has), another user could rename our file away and plant theirs.
  if ((dir.mode & 0o022) !== 0 && (dir.mode & 0o1000) === 0) throw new Error(`${dirname(path)} is writable by other users: choose a private directory`);
}
