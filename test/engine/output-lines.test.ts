// followLines: whole lines whatever the chunking, CRLF too, the unfinished last line at the end, and a bound on a line that never ends.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { followLines } from '../../src-main/core/engine';

async function linesOf(chunks: string[], maxLineChars?: number): Promise<string[]> {
  const stream = new PassThrough();
  const lines: string[] = [];
  followLines(stream, (line) => lines.push(line), maxLineChars);
  const ended = new Promise((resolve) => stream.on('end', resolve));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await ended;
  return lines;
}

describe('followLines', () => {
  it('joins a line cut across chunks and splits lines that share one', async () => {
    expect(await linesOf(['Error: could ', 'not open the map\nsecond', ' line\r\nthird\n'])).toEqual(['Error: could not open the map', 'second line', 'third']);
  });

  it('gives the unfinished last line when the stream ends, and nothing for a stream that ends cleanly', async () => {
    expect(await linesOf(['last words'])).toEqual(['last words']);
    expect(await linesOf(['one\n'])).toEqual(['one']);
  });

  it('cuts a line that never ends at the bound instead of growing without limit', async () => {
    const lines = await linesOf(['x'.repeat(30), 'y'.repeat(30), '\nafter\n'], 50);
    expect(lines[0]).toBe('x'.repeat(30) + 'y'.repeat(30));
    expect(lines.at(-1)).toBe('after');
  });
});
