// The engine's Lua info files (modinfo.lua, mapinfo.lua, AIInfo.lua, AIOptions.lua) read as data: bounded reads and a
// parser for table literals. No Lua runs: a file that is more than `local x = {…} return x` is refused, never evaluated.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Info files are small (Debian's largest AIOptions.lua is under 4 KiB); anything bigger is not an info file. */
export const MAX_INFO_FILE_BYTES = 256 * 1024;

/**
 * A regular file's text, at most `maxBytes`, else undefined (missing, not a regular file, or too big). Opened without
 * blocking and checked on the open handle, so a FIFO or device swapped in after a listing cannot hang the read.
 */
export async function readInfoFile(file: string, maxBytes = MAX_INFO_FILE_BYTES): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = await handle.stat();
    if (!info.isFile() || info.size > maxBytes) return undefined;
    // One byte more than the cap: a file that grew since the stat is refused too.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return length > maxBytes ? undefined : buffer.subarray(0, length).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => {});
  }
}

/**
 * A top-level string field of an info table (`name = "..."`), found by pattern: modinfo.lua and mapinfo.lua often hold
 * code around their table, and a name is all the content scan needs.
 */
export function luaStringField(source: string, field: string): string | undefined {
  const pattern = new RegExp(`(?:^|[\\s{,;])${field}\\s*=\\s*(?:"((?:[^"\\\\\\n]|\\\\.)*)"|'((?:[^'\\\\\\n]|\\\\.)*)'|\\[\\[([^\\]]*)\\]\\])`, 'i');
  const match = pattern.exec(source);
  if (match === null) return undefined;
  const raw = match[1] ?? match[2] ?? match[3] ?? '';
  return raw.replace(/\\(.)/g, '$1');
}

/** A Lua table as data: its array part in order (`t[1]`, `t[2]`, …) and its named fields (string keys). */
export interface LuaTable {
  readonly kind: 'table';
  readonly items: readonly LuaValue[];
  /** A Map, so that keys such as `__proto__` stay plain keys. */
  readonly fields: ReadonlyMap<string, LuaValue>;
}
export type LuaValue = string | number | boolean | null | LuaTable;

export interface LuaTableLimits {
  /** Tables inside tables (the file's own table is depth 1). */
  maxDepth?: number;
  /** Values in the whole file, tables included. */
  maxValues?: number;
  /** Characters of one string. */
  maxStringChars?: number;
}

const DEFAULT_LIMITS: Required<LuaTableLimits> = { maxDepth: 16, maxValues: 20_000, maxStringChars: 16_384 };

export class LuaInfoError extends Error {
  override readonly name = 'LuaInfoError';
  constructor(
    message: string,
    /** 1-based line of the source where reading stopped. */
    readonly line: number,
  ) {
    super(`${message} (line ${line})`);
  }
}

const KEYWORDS = new Set(['local', 'return', 'true', 'false', 'nil']);
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
// Lua 5.1 numbers: decimal with fraction and exponent, or hex.
const NUMBER = /(?:0[xX][0-9a-fA-F]+|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)(?![A-Za-z0-9_.])/y;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'", '\n': '\n' };

/**
 * Reads an info file written as data: `[local name = <table>]… return <table or name>`, where a table holds strings,
 * numbers, booleans, nil and tables (`key = v`, `["key"] = v`, `[1] = v`, positional values; `,` or `;`). Comments and
 * long strings (`--[==[ … ]==]`) as in Lua 5.1. Anything else (calls, operators, other names) is a `LuaInfoError`, as
 * is going past a limit: the file is then not read at all, never half-read.
 */
export function parseLuaInfoTable(source: string, limits: LuaTableLimits = {}): LuaTable {
  return new LuaTableReader(source, { ...DEFAULT_LIMITS, ...limits }).file();
}

class LuaTableReader {
  private pos = 0;
  private values = 0;
  private readonly locals = new Map<string, LuaTable>();

  constructor(
    private readonly src: string,
    private readonly limits: Required<LuaTableLimits>,
  ) {}

  file(): LuaTable {
    for (;;) {
      this.skipSpace();
      const word = this.name();
      if (word === 'local') {
        this.skipSpace();
        const name = this.name();
        if (name === undefined || KEYWORDS.has(name)) this.fail('a name after local');
        this.skipSpace();
        this.expect('=');
        const value = this.value(1);
        if (typeof value !== 'object' || value === null) this.fail('a table after local');
        this.locals.set(name, value);
        this.skipSpace();
        if (this.src[this.pos] === ';') this.pos++;
        continue;
      }
      if (word !== 'return') this.fail('local or return');
      this.skipSpace();
      let result: LuaTable | undefined;
      const start = this.pos;
      const name = this.name();
      if (name !== undefined && !KEYWORDS.has(name)) {
        result = this.locals.get(name);
        if (result === undefined) this.fail(`a table, not the unknown name ${JSON.stringify(name.slice(0, 32))}`);
      } else {
        this.pos = start;
        const value = this.value(1);
        if (typeof value !== 'object' || value === null) this.fail('a table after return');
        result = value;
      }
      this.skipSpace();
      if (this.src[this.pos] === ';') {
        this.pos++;
        this.skipSpace();
      }
      if (this.pos < this.src.length) this.fail('the end of the file after return');
      return result;
    }
  }

  private value(depth: number): LuaValue {
    this.skipSpace();
    if (++this.values > this.limits.maxValues) this.fail(`at most ${this.limits.maxValues} values`);
    const c = this.src[this.pos];
    if (c === '{') return this.table(depth);
    if (c === '"' || c === "'") return this.quoted(c);
    if (c === '[' && this.longBracketLevel() !== undefined) return this.longString();
    if (c === '-') {
      this.pos++;
      this.skipSpace();
      return -this.number();
    }
    if (c !== undefined && /[0-9.]/.test(c)) return this.number();
    const word = this.name();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'nil') return null;
    return this.fail(word === undefined ? 'a value' : `a value, not the name ${JSON.stringify(word.slice(0, 32))}`);
  }

  private table(depth: number): LuaTable {
    if (depth > this.limits.maxDepth) this.fail(`tables nested at most ${this.limits.maxDepth} deep`);
    this.pos++; // {
    const items: LuaValue[] = [];
    const fields = new Map<string, LuaValue>();
    for (;;) {
      this.skipSpace();
      if (this.src[this.pos] === '}') {
        this.pos++;
        return { kind: 'table', items, fields };
      }
      const start = this.pos;
      const key = this.src[this.pos] === '[' && this.longBracketLevel() === undefined ? this.bracketKey(depth) : this.nameKey();
      if (key === undefined) {
        this.pos = start;
        items.push(this.value(depth + 1));
      } else {
        const value = this.value(depth + 1);
        if (typeof key === 'number') {
          // `[n] = v` fills the array part only in order; other numeric keys are kept as fields, as text.
          if (key === items.length + 1) items.push(value);
          else if (!fields.has(String(key))) fields.set(String(key), value);
        } else if (!fields.has(key)) {
          fields.set(key, value); // the first of a repeated key wins, as the engine's own readers keep the first
        }
      }
      this.skipSpace();
      const sep = this.src[this.pos];
      if (sep === ',' || sep === ';') this.pos++;
      else if (sep !== '}') this.fail("',' or '}' in a table");
    }
  }

  /** `name =` at the cursor: the name; otherwise undefined with the cursor unspecified (the caller resets it). */
  private nameKey(): string | undefined {
    const name = this.name();
    if (name === undefined || KEYWORDS.has(name)) return undefined;
    this.skipSpace();
    if (this.src[this.pos] !== '=' || this.src[this.pos + 1] === '=') return undefined;
    this.pos++;
    return name;
  }

  /** `[<string or number>] =`. */
  private bracketKey(depth: number): string | number {
    this.pos++; // [
    const key = this.value(depth + 1);
    if (typeof key !== 'string' && typeof key !== 'number') this.fail('a string or number key');
    this.skipSpace();
    this.expect(']');
    this.skipSpace();
    this.expect('=');
    return key;
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.src);
    if (match === null) this.fail('a number');
    this.pos += match[0].length;
    const value = Number(match[0]);
    if (!Number.isFinite(value)) this.fail('a finite number');
    return value;
  }

  private quoted(quote: string): string {
    this.pos++;
    let out = '';
    // Lua strings are bytes: `\226\128\174` is one UTF-8 character, so a run of byte escapes is decoded as UTF-8.
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length > 0) out += Buffer.from(bytes).toString('utf8');
      bytes = [];
    };
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined || c === '\n' || c === '\r') this.fail('the end of a quoted string');
      this.pos++;
      if (c === quote) {
        flush();
        return out;
      }
      const e = c === '\\' ? this.src[this.pos] : undefined;
      if (e !== undefined && /[0-9]/.test(e)) {
        // \ddd: up to three decimal digits, a byte value.
        const digits = /^[0-9]{1,3}/.exec(this.src.slice(this.pos, this.pos + 3))![0];
        const code = Number(digits);
        if (code > 255) this.fail('an escape \\ddd of at most 255');
        bytes.push(code);
        this.pos += digits.length;
      } else {
        flush();
        if (c !== '\\') out += c;
        else if (e !== undefined && Object.hasOwn(SIMPLE_ESCAPES, e)) {
          out += SIMPLE_ESCAPES[e];
          this.pos++;
        } else {
          this.fail('a known escape');
        }
      }
      if (out.length + bytes.length > this.limits.maxStringChars) this.fail(`strings of at most ${this.limits.maxStringChars} characters`);
    }
  }

  /** At `[`: the level of a long bracket opening here (`[[` is 0, `[==[` is 2), else undefined. */
  private longBracketLevel(): number | undefined {
    let i = this.pos + 1;
    while (this.src[i] === '=') i++;
    return this.src[i] === '[' ? i - this.pos - 1 : undefined;
  }

  private longString(): string {
    const level = this.longBracketLevel()!;
    this.pos += level + 2;
    const close = `]${'='.repeat(level)}]`;
    const end = this.src.indexOf(close, this.pos);
    if (end < 0) this.fail('the end of a long string');
    let text = this.src.slice(this.pos, end);
    if (text.length > this.limits.maxStringChars) this.fail(`strings of at most ${this.limits.maxStringChars} characters`);
    this.pos = end + close.length;
    // Lua drops a line break right after the opening bracket.
    if (text.startsWith('\r\n')) text = text.slice(2);
    else if (text.startsWith('\n')) text = text.slice(1);
    return text;
  }

  private name(): string | undefined {
    NAME.lastIndex = this.pos;
    const match = NAME.exec(this.src);
    if (match === null) return undefined;
    this.pos += match[0].length;
    return match[0];
  }

  private expect(char: string): void {
    if (this.src[this.pos] !== char) this.fail(`'${char}'`);
    this.pos++;
  }

  /** Whitespace and comments: `-- line` and `--[==[ block ]==]`. */
  private skipSpace(): void {
    for (;;) {
      while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
      if (!this.src.startsWith('--', this.pos)) return;
      this.pos += 2;
      if (this.src[this.pos] === '[') {
        const level = this.longBracketLevel();
        if (level !== undefined) {
          const close = `]${'='.repeat(level)}]`;
          const end = this.src.indexOf(close, this.pos + level + 2);
          if (end < 0) this.fail('the end of a block comment');
          this.pos = end + close.length;
          continue;
        }
      }
      const eol = this.src.indexOf('\n', this.pos);
      this.pos = eol < 0 ? this.src.length : eol + 1;
    }
  }

  private fail(expected: string): never {
    let line = 1;
    for (let i = 0; i < this.pos && i < this.src.length; i++) if (this.src.charCodeAt(i) === 10) line++;
    throw new LuaInfoError(`expected ${expected}`, line);
  }
}
