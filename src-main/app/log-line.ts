// What the app log does to each line before it is written: control characters made visible, and a per-source rate limit.

// C0, DEL, C1, the Unicode line and paragraph separators, and the bidi embeddings, overrides and isolates: anything that
// could end a line, hide text or reorder it on screen (Unicode TR9) is written as \uXXXX, so a message stays one honest line.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(message: string): string {
  return message.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface RateLimitOptions {
  /** Lines one source may write per window; the rest are counted and summed up in one line. */
  linesPerWindow: number;
  windowMs: number;
  now: () => number;
}

interface Window {
  startedAt: number;
  written: number;
  suppressed: number;
}

/** Decides, per source, which lines are written; `summaries` tells the lines left out, one per source, once its window is over. */
export function createRateLimit(options: RateLimitOptions) {
  const windows = new Map<string, Window>();
  return {
    /** Whether this line is written; `summary` (for the window just ended) is written first when present. */
    admit(source: string): { write: boolean; summary?: string } {
      const at = options.now();
      let window = windows.get(source);
      let summary: string | undefined;
      if (window && at - window.startedAt >= options.windowMs) {
        if (window.suppressed > 0) summary = suppressedWords(window.suppressed, options.windowMs);
        window = undefined;
      }
      if (!window) {
        window = { startedAt: at, written: 0, suppressed: 0 };
        windows.set(source, window);
        // The map holds one entry per source seen in a window; sources come from code, not from a server, so it stays small.
      }
      if (window.written < options.linesPerWindow) {
        window.written += 1;
        return summary === undefined ? { write: true } : { write: true, summary };
      }
      window.suppressed += 1;
      return summary === undefined ? { write: false } : { write: false, summary };
    },
    /** Summaries for windows that are over, for sources that went quiet after a flood (called now and then). */
    expired(): { source: string; summary: string }[] {
      const at = options.now();
      const out: { source: string; summary: string }[] = [];
      for (const [source, window] of windows) {
        if (at - window.startedAt < options.windowMs) continue;
        if (window.suppressed > 0) out.push({ source, summary: suppressedWords(window.suppressed, options.windowMs) });
        windows.delete(source);
      }
      return out;
    },
    /** The summaries still owed (at close). */
    drain(): { source: string; summary: string }[] {
      const out = [...windows].filter(([, w]) => w.suppressed > 0).map(([source, w]) => ({ source, summary: suppressedWords(w.suppressed, options.windowMs) }));
      windows.clear();
      return out;
    },
  };
}

function suppressedWords(count: number, windowMs: number): string {
  return `suppressed ${count} more line${count === 1 ? '' : 's'} from this source in ${Math.round(windowMs / 1000)} s`;
}
