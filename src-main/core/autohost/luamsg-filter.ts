// luamsgRegexp from the server, matched in linear time (RE2's engine) on a bounded prefix of each luamsg, so no pattern can stall the main process.
import { RE2JS, RE2JSException } from 're2js';

/** Longest pattern taken; longer ones are refused before a battle starts. */
export const MAX_LUAMSG_PATTERN_LENGTH = 1024;
/** Bytes of a luamsg the pattern sees (the whole message is still forwarded when it matches). */
export const LUAMSG_MATCHED_BYTES = 4096;

export class LuamsgPatternError extends Error {
  override readonly name = 'LuamsgPatternError';
}

export interface LuamsgFilter {
  matches(data: Buffer): boolean;
}

/**
 * Compiles `luamsgRegexp` with RE2 semantics: matching takes time linear in the input, so backreferences and
 * lookaround, which have no linear-time algorithm, are refused with a message saying so (as is anything else RE2
 * cannot parse). The message never quotes
 * the pattern.
 */
export function compileLuamsgFilter(pattern: string): LuamsgFilter {
  if (pattern.length > MAX_LUAMSG_PATTERN_LENGTH) throw new LuamsgPatternError(`luamsgRegexp must be at most ${MAX_LUAMSG_PATTERN_LENGTH} characters`);
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    throw new LuamsgPatternError(
      'luamsgRegexp is not a regular expression this autohost can match in linear time (RE2 syntax: no backreferences or lookaround, repeat counts up to 1000)',
    );
  }
  return {
    matches(data) {
      return compiled.test(data.toString('utf8', 0, Math.min(data.length, LUAMSG_MATCHED_BYTES)));
    },
  };
}
