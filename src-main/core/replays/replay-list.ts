// The replays folder as a list: every demo read (or named damaged), newest name first, bounded in count.
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { readReplay, type Replay } from './replay';
import { ReplayError, type ReplayErrorCode } from './replay-error';

/** Demos listed at most; a folder holding more lists the newest names. */
export const MAX_LISTED_REPLAYS = 2_000;
/** Names read from the folder before sorting: a huge folder is not read whole. */
const MAX_DIR_ENTRIES = 20_000;

export type ReplayListEntry = { file: string; replay: Replay } | { file: string; error: { code: ReplayErrorCode; message: string } };

/**
 * The `*.sdfz` regular files of `replaysDir` (symlinks are skipped), each read with readReplay. A damaged file is an
 * entry with its error, never the end of the list. A missing folder is an empty list.
 */
export async function listReplays(replaysDir: string): Promise<ReplayListEntry[]> {
  const names = await readdir(replaysDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const demos = names.slice(0, MAX_DIR_ENTRIES).filter((name) => name.endsWith('.sdfz') && !name.startsWith('.')).sort().reverse().slice(0, MAX_LISTED_REPLAYS);
  const entries: ReplayListEntry[] = [];
  for (const file of demos) {
    const full = path.join(replaysDir, file);
    const info = await lstat(full).catch(() => null);
    if (!info?.isFile()) continue;
    try {
      entries.push({ file, replay: await readReplay(full) });
    } catch (error) {
      const replayError = error instanceof ReplayError ? error : new ReplayError('corrupt', 'the demo could not be read');
      entries.push({ file, error: { code: replayError.code, message: replayError.message } });
    }
  }
  return entries;
}
