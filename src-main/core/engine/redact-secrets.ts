// Password redaction for engine output (console lines, autohost messages): one rule for the player's engine and the host's.
import { REDACTED } from '../protocol/redact';

// `MyPasswd=x;` in the join script, `Password=x;` in the host script, `Password = x` in script echoes.
const SECRET_ASSIGNMENT = /\b(MyPasswd|Password)(\s*=\s*)[^;\r\n]*/gi;
const WORD_CHARACTER = /[\p{L}\p{N}_]/u;
// From this length a password is hidden wherever it shows, even inside a word: no word of output holds it by chance.
const ANYWHERE_LENGTH = 8;

function isWordCharacter(text: string, index: number): boolean {
  const char = text[index];
  return char !== undefined && WORD_CHARACTER.test(char);
}

/**
 * `text` with every whole-word occurrence of `secret` replaced: `a` as a password leaves `any` alone but hides ` a `.
 * A side of the secret that is not a word character needs no boundary there (as `\b` in a regular expression).
 */
function replaceWholeWord(text: string, secret: string): string {
  const checkStart = isWordCharacter(secret, 0);
  const checkEnd = isWordCharacter(secret, secret.length - 1);
  let out = '';
  let from = 0;
  // Bounded by the text: each step moves past at least one character.
  for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + 1)) {
    if (at < from) continue;
    const end = at + secret.length;
    if ((checkStart && isWordCharacter(text, at - 1)) || (checkEnd && isWordCharacter(text, end))) continue;
    out += text.slice(from, at) + REDACTED;
    from = end;
  }
  return out + text.slice(from);
}

/**
 * Hides passwords in a line of engine output. The value of a `Password=`/`MyPasswd=` assignment is replaced whatever
 * it is and however short; elsewhere a known password is replaced where it stands as a whole word, so a one-character
 * password neither shows nor turns every such letter of the console into `[redacted]`. A long password is replaced
 * wherever it shows.
 */
export function redactEngineText(text: string, passwords: readonly string[]): string {
  let out = text.replace(SECRET_ASSIGNMENT, `$1$2${REDACTED}`);
  // Longest first: a short password that is part of a longer one must not cut the longer one in two.
  for (const password of [...new Set(passwords)].sort((x, y) => y.length - x.length)) {
    if (password.length >= ANYWHERE_LENGTH) out = out.split(password).join(REDACTED);
    else if (password.length > 0) out = replaceWholeWord(out, password);
  }
  return out;
}
