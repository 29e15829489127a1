// Players' passwords out of anything the engine says before it reaches an update, a crash detail or the log.

const REDACTED = '[redacted]';
// `Password=x;` / `MyPasswd = x` as the engine may echo a script: the value, whatever its length, up to the `;`.
const SECRET_ASSIGNMENT = /\b(MyPasswd|Password)(\s*=\s*)[^;\r\n]*/gi;

/**
 * Every assignment's value, and each password elsewhere as a whole word (not inside a longer word: a one-letter
 * password would otherwise garble every line). No minimum length: a password of one character is still a password.
 */
export function redactPasswords(text: string, passwords: Iterable<string>): string {
  let out = text.replace(SECRET_ASSIGNMENT, `$1$2${REDACTED}`);
  const longestFirst = [...new Set(passwords)].filter((p) => p.length > 0).sort((a, b) => b.length - a.length);
  for (const password of longestFirst) {
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(password)}(?![\\p{L}\\p{N}_])`, 'gu'), REDACTED);
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
