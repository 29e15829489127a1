// A bounded reader of the engine's start script (TDF) as a demo stores it: nested `[section] { key=value; }`, keys lower-cased.

/** One section: its values and its subsections, both keyed by lower-cased name. */
export interface ScriptSection {
  values: Map<string, string>;
  sections: Map<string, ScriptSection>;
}

export interface ScriptLimits {
  maxDepth: number;
  /** Sections and values together. */
  maxEntries: number;
  maxValueChars: number;
}

export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = { maxDepth: 8, maxEntries: 20_000, maxValueChars: 4096 };

/** Why a script could not be read; the caller turns it into its own error. */
export class ScriptReadError extends Error {}

function emptySection(): ScriptSection {
  return { values: new Map(), sections: new Map() };
}

/**
 * Reads the text the way the engine's TDF parser does for what it writes: `//` comments to the line end, `/* … *\/`
 * comments, `[name]` followed by `{ … }`, `key = value;` (both trimmed). Linear in the text, bounded in depth and
 * entries; throws ScriptReadError on anything else. A repeated key keeps its first value, as the engine does.
 */
export function readStartScript(text: string, limits: ScriptLimits = DEFAULT_SCRIPT_LIMITS): ScriptSection {
  const root = emptySection();
  const stack: ScriptSection[] = [root];
  let entries = 0;
  let i = 0;
  const n = text.length;
  const count = () => {
    if (++entries > limits.maxEntries) throw new ScriptReadError(`more than ${limits.maxEntries} entries`);
  };
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new ScriptReadError('an unclosed comment');
      i = end + 2;
    } else if (c === '[') {
      const close = text.indexOf(']', i);
      if (close < 0 || close - i > 256) throw new ScriptReadError('a section name without its ]');
      const name = text.slice(i + 1, close).trim().toLowerCase();
      i = close + 1;
      while (i < n && /\s/.test(text[i]!)) i++;
      if (text[i] !== '{') throw new ScriptReadError(`section [${name.slice(0, 40)}] without its {`);
      i++;
      if (stack.length > limits.maxDepth) throw new ScriptReadError(`sections nested deeper than ${limits.maxDepth}`);
      count();
      const parent = stack[stack.length - 1]!;
      const section = emptySection();
      if (!parent.sections.has(name)) parent.sections.set(name, section);
      stack.push(section);
    } else if (c === '}') {
      if (stack.length === 1) throw new ScriptReadError('a } without its section');
      stack.pop();
      i++;
    } else {
      if (stack.length === 1) throw new ScriptReadError('a value outside any section');
      const eq = text.indexOf('=', i);
      const semi = text.indexOf(';', i);
      if (eq < 0 || semi < 0 || semi < eq) throw new ScriptReadError('a line that is not key=value;');
      const key = text.slice(i, eq).trim().toLowerCase();
      if (key.length === 0 || /[[\]{}\n]/.test(key)) throw new ScriptReadError('a line that is not key=value;');
      const value = text.slice(eq + 1, semi).trim();
      if (value.length > limits.maxValueChars) throw new ScriptReadError(`a value longer than ${limits.maxValueChars} characters`);
      count();
      const section = stack[stack.length - 1]!;
      if (!section.values.has(key)) section.values.set(key, value);
      i = semi + 1;
    }
  }
  if (stack.length !== 1) throw new ScriptReadError('a section without its }');
  return root;
}

/** A value as a non-negative integer, or undefined. */
export function intValue(section: ScriptSection | undefined, key: string): number | undefined {
  const raw = section?.values.get(key);
  if (raw === undefined || !/^\d{1,9}$/.test(raw)) return undefined;
  return Number(raw);
}

/** The subsections named `<prefix><n>`, ordered by n (n below `max`). */
export function numberedSections(parent: ScriptSection, prefix: string, max: number): Array<{ id: number; section: ScriptSection }> {
  const found: Array<{ id: number; section: ScriptSection }> = [];
  for (const [name, section] of parent.sections) {
    if (!name.startsWith(prefix)) continue;
    const digits = name.slice(prefix.length);
    if (!/^\d{1,4}$/.test(digits)) continue;
    const id = Number(digits);
    if (id < max) found.push({ id, section });
  }
  return found.sort((a, b) => a.id - b.id);
}
