// luamsgRegexp from a server: linear-time matching on a bounded prefix, and patterns without a linear-time algorithm refused.
import { describe, expect, it } from 'vitest';
import { compileLuamsgFilter, LUAMSG_MATCHED_BYTES, LuamsgPatternError, MAX_LUAMSG_PATTERN_LENGTH } from '../../src-main/core/autohost/luamsg-filter';

describe('compileLuamsgFilter', () => {
  it('matches ^(a+)+$ on 30 characters, and rejects the near miss that makes a backtracking engine run for minutes', () => {
    const filter = compileLuamsgFilter('^(a+)+$');
    expect(filter.matches(Buffer.from('a'.repeat(30)))).toBe(true);
    expect(filter.matches(Buffer.from(`${'a'.repeat(29)}b`))).toBe(false);
    expect(filter.matches(Buffer.from(`${'a'.repeat(60)}!`))).toBe(false);
  });

  it('matches what a battle asks for', () => {
    const filter = compileLuamsgFilter('^tachyon-test');
    expect(filter.matches(Buffer.from('tachyon-test: hello'))).toBe(true);
    expect(filter.matches(Buffer.from('other'))).toBe(false);
  });

  it('sees only the first 4 KiB of a luamsg', () => {
    const filter = compileLuamsgFilter('end$');
    expect(filter.matches(Buffer.from(`${'x'.repeat(100)}end`))).toBe(true);
    expect(filter.matches(Buffer.from(`${'x'.repeat(LUAMSG_MATCHED_BYTES)}end`))).toBe(false);
    expect(compileLuamsgFilter('^x*$').matches(Buffer.from(`${'x'.repeat(LUAMSG_MATCHED_BYTES)}y`))).toBe(true);
  });

  it('refuses backreferences, lookaround and overlong patterns with a message that does not quote the pattern', () => {
    for (const pattern of ['(a)\\1', '(?=secret)x', '(?<!a)b', 'x{1001}', 'x'.repeat(MAX_LUAMSG_PATTERN_LENGTH + 1)]) {
      let message = '';
      try {
        compileLuamsgFilter(pattern);
      } catch (error) {
        expect(error).toBeInstanceOf(LuamsgPatternError);
        message = (error as Error).message;
      }
      expect(message, pattern.slice(0, 20)).toMatch(/^luamsgRegexp /);
      expect(message).not.toContain(pattern);
    }
  });
});
