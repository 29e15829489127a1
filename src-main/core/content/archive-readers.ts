// What core/engine's content check needs to look into `.sd7` archives: this folder's 7-Zip (bundled 7za or a system 7z),
// listed once and one entry read with a byte cap. Pass `contentArchiveReaders` wherever content is scanned.
import type { ArchiveReaders, SevenZipReader } from '../engine';
import { listArchive, readArchiveEntry, SevenZipError } from './seven-zip';

/** Time for one .sd7 (a listing, then one small entry): a solid archive may have to unpack a block first. */
const SD7_TIMEOUT_MS = 20_000;

type ReadEntry = SevenZipReader['readEntry'];

const readInfoEntry: ReadEntry = async (archive, choose, { maxEntries, maxBytes }) => {
  const what = 'the archive';
  let entries;
  try {
    entries = await listArchive(archive, { timeoutMs: SD7_TIMEOUT_MS }, what);
  } catch (error) {
    // No 7-Zip here: the content check falls back to the file name rather than calling every map unreadable.
    if (error instanceof SevenZipError && error.code === 'unavailable') return 'unavailable';
    throw error;
  }
  if (entries.length > maxEntries) throw new SevenZipError('too_large', `the archive has more than ${maxEntries} entries`);
  const picked = choose(entries.filter((e) => !e.directory && !e.symlink && !e.encrypted).map((e) => e.path));
  if (picked === undefined) return undefined;
  return { path: picked, bytes: await readArchiveEntry(archive, picked, { entries, maxBytes, timeoutMs: SD7_TIMEOUT_MS, what }) };
};

export const sevenZipInfoReader: SevenZipReader = {
  async readEntry(archive, choose, limits) {
    try {
      return await readInfoEntry(archive, choose, limits);
    } catch (error) {
      // A time limit, a cancel or another failure of 7-Zip itself says nothing of the archive: the scan asks again next time.
      if (error instanceof SevenZipError && (error.code === 'timeout' || error.code === 'aborted' || error.code === 'failed')) {
        throw Object.assign(error, { transient: true });
      }
      throw error;
    }
  },
};

export const contentArchiveReaders: ArchiveReaders = { sevenZip: sevenZipInfoReader };
