// An engine's stdout/stderr as whole lines: a pipe may cut a line across two chunks, and a line that never ends must not grow without bound.

/** Calls `onLine` for every line the stream prints (without its line break), the unfinished last one at the end of the stream. */
export function followLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void, maxLineChars = 8_000): void {
  if (stream === null) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (pending + chunk).split(/\r?\n/);
    pending = parts.pop() ?? '';
    if (pending.length > maxLineChars) {
      parts.push(pending);
      pending = '';
    }
    for (const part of parts) onLine(part);
  });
  stream.on('end', () => {
    if (pending.length > 0) onLine(pending);
    pending = '';
  });
}
