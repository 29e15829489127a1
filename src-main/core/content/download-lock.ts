// One download of an item at a time across processes sharing a data dir (two lobbies, or the lobby and `npm run content`):
// an exclusive lock file beside the item's temp files, made with O_EXCL, naming its holder (pid, host, start time). A
// second process waits for it to go (polling with backoff, cancellable), then looks again at what is installed. A lock
// whose holder died (its pid is gone on this host) or that shows no sign of life for `staleMs` (the holder touches it
// every `heartbeatMs`; the `activity` file, the part, growing counts too) is taken over. The rules: README.md.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { RapidError } from './rapid-format';
import { processAlive } from '../engine';

/** What a lock file holds (one JSON line, at most a few hundred bytes). */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** When the holding process started (ms since the epoch). */
  readonly started: number;
  /** Tells this holding from any other, so a release or a takeover never removes someone else's lock. */
  readonly token: string;
}

export interface DownloadLockOptions {
  readonly signal: AbortSignal;
  /** Called on each look while another live process holds the lock (the first at once). */
  readonly onWait?: (holder: LockHolder | undefined) => void;
  /** A file whose changes show the holder at work (the download's part). */
  readonly activity?: string;
  /** No heartbeat and no activity for this long: the holder is taken to be gone (default 2 minutes). */
  readonly staleMs?: number;
  /** How often the holder touches its lock (default 10 s). */
  readonly heartbeatMs?: number;
}

export interface DownloadLock {
  /** Another process held the lock when it was first asked for (so what it guards may be installed now). */
  readonly waited: boolean;
  /** A dead holder's lock was taken over. */
  readonly tookOver: boolean;
  release(): Promise<void>;
}

export const LOCK_STALE_MS = 120_000;
const HEARTBEAT_MS = 10_000;
/** A lock file that does not parse is being written (a few bytes, right after its creation) or damaged: gone after this. */
const UNREADABLE_STALE_MS = 5_000;
const LOCK_MAX_BYTES = 1024;
const POLL_FIRST_MS = 25;
const POLL_MAX_MS = 1000;

const processStarted = Math.round(Date.now() - process.uptime() * 1000);

/** Shared with the engine's launch directories: a pid that exists on this computer (EPERM counts). */
export { processAlive };

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    const { pid, host, started, token } = value;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof started !== 'number' || typeof token !== 'string') return undefined;
    if (host.length > 255 || token.length > 64) return undefined;
    return { pid, host, started, token };
  } catch {
    return undefined;
  }
}

async function mtimeMs(file: string): Promise<number> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return 0;
  }
}

function cancelled(): RapidError {
  return new RapidError('aborted', 'the download was cancelled');
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => { clearTimeout(timer); reject(cancelled()); };
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The lock file's text, or undefined when there is none (or it is too large to be one of ours: read as unparseable). */
async function readLock(file: string): Promise<string | undefined> {
  try {
    const data = await readFile(file);
    return data.length > LOCK_MAX_BYTES ? '' : data.toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Removes a stale lock, only if it is still the one judged stale: a guard file (O_EXCL too) keeps two processes from
 * both taking over, one of them removing the fresh lock the other just made.
 */
async function takeOver(file: string, judged: string): Promise<'removed' | 'changed' | 'busy'> {
  const guard = `${file}.takeover`;
  try {
    await (await open(guard, 'wx', 0o644)).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A guard lives for a few file operations; an old one was left by a process killed in between.
    if (Date.now() - (await mtimeMs(guard)) > UNREADABLE_STALE_MS) await rm(guard, { force: true });
    return 'busy';
  }
  try {
    // Released (or taken over by another) since it was read: nothing to take over, the caller looks again.
    if ((await readLock(file)) !== judged) return 'changed';
    await rm(file, { force: true });
    return 'removed';
  } finally {
    await rm(guard, { force: true });
  }
}

async function isStale(file: string, text: string, holder: LockHolder | undefined, options: DownloadLockOptions): Promise<boolean> {
  const now = Date.now();
  if (!holder) return now - (await mtimeMs(file)) > UNREADABLE_STALE_MS;
  if (holder.host === hostname() && !processAlive(holder.pid)) return true;
  // A live pid may be another process now (pids are reused), and a holder on another host cannot be asked: its heartbeat tells.
  const lastSign = Math.max(await mtimeMs(file), options.activity ? await mtimeMs(options.activity) : 0);
  return now - lastSign > (options.staleMs ?? LOCK_STALE_MS);
}

/** Takes the lock at `file`, waiting while another live process holds it; rejects with an `aborted` error on a cancel. */
export async function acquireDownloadLock(file: string, options: DownloadLockOptions): Promise<DownloadLock> {
  const { signal } = options;
  await mkdir(path.dirname(file), { recursive: true });
  const me: LockHolder = { pid: process.pid, host: hostname(), started: processStarted, token: randomBytes(12).toString('hex') };
  const text = `${JSON.stringify(me)}\n`;
  let waited = false;
  let tookOver = false;
  let delay = POLL_FIRST_MS;
  for (;;) {
    if (signal.aborted) throw cancelled();
    try {
      const handle = await open(file, 'wx', 0o644);
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = await readLock(file);
    if (held === undefined) continue; // released between the two looks
    const holder = parseHolder(held);
    if (await isStale(file, held, holder, options)) {
      const outcome = await takeOver(file, held);
      if (outcome === 'removed') tookOver = true;
      if (outcome !== 'busy') continue;
    }
    waited = true;
    options.onWait?.(holder);
    await abortableDelay(delay, signal);
    delay = Math.min(delay * 2, POLL_MAX_MS);
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    void utimes(file, now, now).catch(() => undefined);
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  return {
    waited, tookOver,
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      // Only our own: a lock taken over while this process was stopped belongs to its new holder.
      if ((await readLock(file).catch(() => undefined)) === text) await rm(file, { force: true });
    },
  };
}

/** Runs `work` holding the lock at `file`; `work` learns whether another process held it first. */
export async function withDownloadLock<T>(file: string, options: DownloadLockOptions, work: (lock: DownloadLock) => Promise<T>): Promise<T> {
  const lock = await acquireDownloadLock(file, options);
  try {
    return await work(lock);
  } finally {
    await lock.release();
  }
}
