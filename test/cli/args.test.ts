// The shells' flag parsing: strict, with errors in words a person can act on.
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError, usage } from '../../src-main/cli/args';

const spec = {
  server: { type: 'string', description: 'the server' },
  json: { type: 'boolean', description: 'JSON lines' },
  queue: { type: 'list', description: 'a playlist' },
} as const;

describe('parseArgs', () => {
  it('reads strings, booleans and repeated lists in both spellings', () => {
    expect(parseArgs(['--server', 'http://127.0.0.1:1', '--json', '--queue', 'a', '--queue=b'], spec)).toEqual({ server: 'http://127.0.0.1:1', json: true, queue: ['a', 'b'] });
    expect(parseArgs([], spec)).toEqual({});
  });

  it.each([
    [['--bogus'], /unknown option --bogus/],
    [['stray'], /unexpected argument/],
    [['--server'], /--server needs a value/],
    [['--server', '--json'], /--server needs a value/],
    [['--json=yes'], /--json takes no value/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv, spec)).toThrow(UsageError);
    expect(() => parseArgs(argv, spec)).toThrow(message);
  });

  it('prints every flag in the usage', () => {
    expect(usage('npm run x --', spec)).toMatch(/--server <value>[\s\S]*--json\n[\s\S]*--queue <value> \(repeatable\)/);
  });
});
