// Text from a server made safe for the player's terminal: in human lines unsafe characters are replaced, in JSON lines escaped.
import { UNSAFE_LINE_CHARS } from '../core/connection/one-line';

/**
 * Replaces C0/C1 controls, DEL, the line and paragraph separators and every bidi control (U+061C, U+200E/F, U+202A–E,
 * U+2066–9) with U+FFFD, so a hostile name or message cannot rewrite the terminal or make a line read differently; then clips.
 */
export function printable(text: string, max = 500): string {
  const clean = text.replace(UNSAFE_LINE_CHARS, '\ufffd');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * One JSON line. JSON.stringify escapes C0 controls but leaves C1, bidi marks and U+2028/9 raw; these become `\uXXXX`
 * escapes too, so the line is still the same JSON value and a terminal showing it sees no control character.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_LINE_CHARS, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
