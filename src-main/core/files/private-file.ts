// The one way this app replaces a file that holds something private (tokens, sign-ins, chat markers): a fresh 0600 file
// beside the target, renamed over it. A crash leaves the old file or the new one, never half of either.
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A new name beside the target. Opened with O_EXCL (`wx`), it is never a file or link someone placed there, and
 * fchmod sets 0600 whatever the umask; rename(2) then swaps it in without following a link at the target.
 */
function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
}

export function writePrivateFileSync(path: string, data: string | Uint8Array): void {
  const temp = tempBeside(path);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    try {
      fchmodSync(fd, 0o600);
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** The same, off the main thread's hot path (the chat marker is written this way). */
export async function writePrivateFile(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempBeside(path);
  const file = await open(temp, 'wx', 0o600);
  try {
    try {
      await file.chmod(0o600);
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
