// The app's log file (logs/main.log): pino over an asynchronous file destination, rotated by size, each line made printable and rate-limited per source.
import { existsSync, openSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { createLogger, type LogLevel, type Logger } from '../core/log';
import { createRateLimit, printable } from './log-line';
import { PRIVATE_FILE_MODE, ensurePrivateDir, ensurePrivateFile } from './private-paths';

export interface AppLogOptions {
  /** The logs folder: made 0700, its log files 0600. */
  dir: string;
  minLevel?: LogLevel;
  /** Also show each line here (stderr while developing). */
  echo?(line: string): void;
  /** main.log is rotated past this size (main.log → main.1.log …); `keep` old files are kept. */
  maxBytes?: number;
  keep?: number;
  /** At most this many lines per source (scope) per window; then one summary line. */
  linesPerWindow?: number;
  windowMs?: number;
  now?: () => number;
}

export interface AppLog {
  readonly logger: Logger;
  readonly file: string;
  /** Writes what is buffered now (before `app.exit`). */
  flushSync(): void;
  /** Writes the owed summaries and what is buffered, then closes the file. */
  close(): Promise<void>;
}

const MAX_BYTES = 5 * 1024 * 1024;
const KEEP = 3;
/** What one write may hold in memory while the disk is slow; past it sonic-boom drops (and says so with 'drop'). */
const BUFFER_MAX = 4 * 1024 * 1024;

export function openAppLog(options: AppLogOptions): AppLog {
  const file = path.join(options.dir, 'main.log');
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  const keep = options.keep ?? KEEP;
  const now = options.now ?? Date.now;
  ensurePrivateDir(options.dir);
  ensurePrivateFile(file);
  for (let i = 1; i <= keep; i += 1) ensurePrivateFile(rotated(file, i));

  const pinoOptions: pino.LoggerOptions = {
    level: 'debug',
    base: null,
    timestamp: () => `,"time":"${new Date(now()).toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
  };
  // Opened here, synchronously and 0600, so the file exists at once (rotation renames it); written asynchronously by sonic-boom.
  const openOutput = () => {
    const destination = pino.destination({ fd: openSync(file, 'a', PRIVATE_FILE_MODE), sync: false, maxLength: BUFFER_MAX });
    return { destination, output: pino(pinoOptions, destination) };
  };
  let current = openOutput();
  const ending = new Set<Promise<void>>();
  const end = (destination: ReturnType<typeof pino.destination>) => {
    const done = new Promise<void>((resolve) => destination.once('close', () => resolve()));
    ending.add(done);
    void done.then(() => ending.delete(done));
    destination.end();
  };
  const windowMs = options.windowMs ?? 10_000;
  const limit = createRateLimit({ linesPerWindow: options.linesPerWindow ?? 200, windowMs, now });
  let written = 0;
  let closed = false;

  const rotate = () => {
    // What the old destination still buffers goes to the file rotated out (its descriptor follows the rename).
    rmSync(rotated(file, keep), { force: true });
    for (let i = keep - 1; i >= 1; i -= 1) {
      if (existsSync(rotated(file, i))) renameSync(rotated(file, i), rotated(file, i + 1));
    }
    renameSync(file, rotated(file, 1));
    const old = current;
    current = openOutput();
    end(old.destination);
    written = 0;
  };

  const write = (level: LogLevel, scope: string, message: string) => {
    const text = printable(message);
    current.output[level]({ scope }, text);
    // A close estimate of the JSON line's size: the fields plus the message (escaping adds little to printable text).
    written += text.length + scope.length + 64;
    options.echo?.(`${new Date(now()).toISOString()} ${level} ${scope}: ${text}\n`);
    if (written >= maxBytes) rotate();
  };

  const sink = (level: LogLevel, scope: string, message: string) => {
    if (closed) return;
    const source = printable(scope);
    const decision = limit.admit(source);
    if (decision.summary !== undefined) write('warn', source, decision.summary);
    if (decision.write) write(level, source, message);
  };

  // A source that flooded and then went quiet still gets its summary line, within a window or two.
  const summaries = setInterval(() => {
    for (const { source, summary } of limit.expired()) write('warn', source, summary);
  }, windowMs);
  summaries.unref();

  return {
    logger: createLogger(sink, options.minLevel ?? 'info'),
    file,
    flushSync() {
      try {
        current.destination.flushSync();
      } catch {
        // a write is in flight; it completes on its own
      }
    },
    async close() {
      if (closed) return;
      clearInterval(summaries);
      for (const { source, summary } of limit.drain()) write('warn', source, summary);
      closed = true;
      end(current.destination);
      await Promise.all([...ending]);
    },
  };
}

function rotated(file: string, index: number): string {
  return file.replace(/\.log$/, `.${index}.log`);
}
