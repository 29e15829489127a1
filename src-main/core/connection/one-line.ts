// Text from a peer made safe for one log line or one terminal line: no line breaks, no terminal or bidi controls.

/**
 * Characters that end or reorder a line: C0 and C1 controls and DEL, the Unicode line and paragraph separators, and the
 * bidirectional marks, embeddings, overrides and isolates (Unicode UAX #9) that can make text read differently than it is.
 */
// eslint-disable-next-line no-control-regex
export const UNSAFE_LINE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Escapes every unsafe character as `\n`, `\r`, `\t` or `\uXXXX`, so the text stays readable and cannot forge a line. */
export function oneLine(text: string, max = 500): string {
  const clipped = text.length > max ? `${text.slice(0, max)}…` : text;
  return clipped.replace(UNSAFE_LINE_CHARS, escapeChar);
}

function escapeChar(char: string): string {
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (char === '\t') return '\\t';
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
