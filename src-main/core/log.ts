// The core's logger: levelled lines to a sink the shell chooses (stderr, a file, a test buffer). Callers pass redacted text.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(scope: string): Logger;
}

export type LogSink = (level: LogLevel, scope: string, message: string) => void;

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(sink: LogSink, minLevel: LogLevel = 'info', scope = 'lobby'): Logger {
  const emit = (level: LogLevel, message: string) => {
    if (ORDER[level] >= ORDER[minLevel]) sink(level, scope, message);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    child: (child) => createLogger(sink, minLevel, `${scope}/${child}`),
  };
}

/** A logger that keeps lines in memory: for tests, and for showing a recent log in the UI. */
export function createMemoryLogger(minLevel: LogLevel = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger((level, scope, message) => {
    lines.push(`${level} ${scope}: ${message}`);
    if (lines.length > 5000) lines.splice(0, lines.length - 5000);
  }, minLevel);
  return Object.assign(logger, { lines });
}

export const silentLogger: Logger = createLogger(() => {}, 'error');

export function stderrLogger(minLevel: LogLevel = 'info'): Logger {
  return createLogger((level, scope, message) => {
    process.stderr.write(`${new Date().toISOString()} ${level} ${scope}: ${message}\n`);
  }, minLevel);
}
