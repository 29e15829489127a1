// The Lua info reader: table literals as data, hostile files refused whole (never evaluated, never half-read), bounded reads.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LuaInfoError, parseLuaInfoTable, readInfoFile, type LuaTable, type LuaValue } from '../../src-main/core/engine/lua-info';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lua-info-'));
  dirs.push(dir);
  return dir;
}

/** A table as plain JSON, for comparisons: `{ items, fields }`. */
function plain(value: LuaValue): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return { items: value.items.map(plain), fields: Object.fromEntries([...value.fields].map(([k, v]) => [k, plain(v)])) };
}
const table = (source: string): LuaTable => parseLuaInfoTable(source);

describe('parseLuaInfoTable', () => {
  it('reads an info file as the engine ships them: comments, local, return, strings, numbers, booleans, nesting', () => {
    const source = `--[[
      a block comment, as the engine's files open with
    ]]
    --[==[ a level-2 comment with ]] inside ]==]
    -- a line comment
    local infos = {
      { key = 'shortName', value = 'NullAI', desc = 'machine conform name.', }, -- trailing
      { key = "version"; value = "0.1" },
      { key = 'n', value = 10, min = -2.5e1, max = 0x1F, on = true, off = false, none = nil },
      { key = 'long', value = [==[a ]] b]==], items = { 'x', [2] = 'y', ['z'] = { [[
first line dropped]] } } },
    }
    return infos`;
    expect(plain(table(source))).toEqual({
      items: [
        { items: [], fields: { key: 'shortName', value: 'NullAI', desc: 'machine conform name.' } },
        { items: [], fields: { key: 'version', value: '0.1' } },
        { items: [], fields: { key: 'n', value: 10, min: -25, max: 31, on: true, off: false, none: null } },
        { items: [], fields: { key: 'long', value: 'a ]] b', items: { items: ['x', 'y'], fields: { z: { items: ['first line dropped'], fields: {} } } } } },
      ],
      fields: {},
    });
  });

  it('reads the escapes of Lua 5.1 strings, and takes the first of a repeated key', () => {
    const t = table(String.raw`return { a = "tab\tnl\nq\"s\'b\\d\65\066\0end", a = 'second', ['__proto__'] = 'plain', constructor = 1 }`);
    expect(t.fields.get('a')).toBe('tab\tnl\nq"s\'b\\dAB\0end');
    // Lua strings are bytes: escaped UTF-8 is one character; a lone high byte is not valid UTF-8 and decodes as U+FFFD.
    expect(table(String.raw`return { '\226\152\131', '\255x' }`).items).toEqual(['☃', '\uFFFDx']);
    expect(t.fields.get('__proto__')).toBe('plain');
    expect(t.fields.get('constructor')).toBe(1);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it.each([
    ['code around the table', 'local x = {} x.y = 1 return x'],
    ['a call', 'return { name = VFS.Include("x") }'],
    ['a call at the top', 'return dofile("x")'],
    ['concatenation', "return { name = 'a' .. 'b' }"],
    ['arithmetic', 'return { n = 1 + 2 }'],
    ['an unknown name', 'return { n = os }'],
    ['return of an unknown local', 'return infos'],
    ['a function', 'return { f = function() end }'],
    ['an unterminated string', "return { a = 'no end }"],
    ['a line break in a quoted string', "return { a = 'one\ntwo' }"],
    ['an unterminated long string', 'return { a = [[ no end }'],
    ['an unterminated block comment', '--[[ no end\nreturn {}'],
    ['an unknown escape', String.raw`return { a = '\q' }`],
    ['a byte escape over 255', String.raw`return { a = '\256' }`],
    ['a missing separator', 'return { a = 1 b = 2 }'],
    ['text after return', 'return {} print(1)'],
    ['no return', 'local x = {}'],
    ['an empty file', ''],
    ['a scalar result', "return 'x'"],
    ['an infinite number', 'return { n = 1e999 }'],
    ['a table as a key', 'return { [{}] = 1 }'],
    ['nothing but a comment', '-- only a comment'],
  ])('refuses %s', (_what, source) => {
    expect(() => table(source)).toThrow(LuaInfoError);
  });

  it('says where it stopped, by line', () => {
    expect(() => table('local t = {\n  a = 1,\n  b = os.time(),\n}\nreturn t')).toThrow(/line 3/);
  });

  it('refuses deep nesting before it can exhaust the stack, at the limit and far past it', () => {
    const nested = (depth: number) => `return ${'{'.repeat(depth)}${'}'.repeat(depth)}`;
    expect(() => table(nested(16))).not.toThrow();
    expect(() => table(nested(17))).toThrow(/nested at most 16/);
    expect(() => table(nested(200_000))).toThrow(/nested at most 16/);
    expect(() => table(`return { a = ${'{ b = '.repeat(50_000)}1${' }'.repeat(50_000)} }`)).toThrow(/nested at most 16/);
  });

  it('refuses too many values and too long strings', () => {
    expect(() => table(`return { ${'1,'.repeat(20_001)} }`)).toThrow(/at most 20000 values/);
    expect(() => parseLuaInfoTable(`return { ${'1,'.repeat(11)} }`, { maxValues: 10 })).toThrow(/at most 10 values/);
    expect(() => table(`return { a = '${'x'.repeat(16_385)}' }`)).toThrow(/at most 16384 characters/);
    expect(() => table(`return { a = [[${'x'.repeat(16_385)}]] }`)).toThrow(/at most 16384 characters/);
    expect(table(`return { a = '${'x'.repeat(16_384)}' }`).fields.get('a')).toHaveLength(16_384);
  });

  it('reads odd but valid text as text: other scripts, invalid UTF-8 decoded, control characters kept for the caller to judge', () => {
    const t = table("return { 'Ünïcødé ☃', '\u202Eevil', '\x01\x7f', 'a;b{c}=d' }");
    expect(t.items).toEqual(['Ünïcødé ☃', '\u202Eevil', '\x01\x7f', 'a;b{c}=d']);
  });
});

describe('readInfoFile', () => {
  it('reads a regular file up to the cap, and refuses a bigger one whole', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'small.lua'), 'return {}');
    await writeFile(path.join(dir, 'big.lua'), Buffer.alloc(1024 * 1024 + 1, 0x20));
    expect(await readInfoFile(path.join(dir, 'small.lua'))).toBe('return {}');
    expect(await readInfoFile(path.join(dir, 'big.lua'))).toBeUndefined();
    expect(await readInfoFile(path.join(dir, 'small.lua'), 8)).toBeUndefined();
    expect(await readInfoFile(path.join(dir, 'small.lua'), 9)).toBe('return {}');
  });

  it('refuses what is not a regular file (missing, a folder, a FIFO) without blocking, and follows a symlink to a file', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'real.lua'), 'return {}');
    await symlink(path.join(dir, 'real.lua'), path.join(dir, 'link.lua'));
    execFileSync('mkfifo', [path.join(dir, 'fifo.lua')]);
    expect(await readInfoFile(path.join(dir, 'missing.lua'))).toBeUndefined();
    expect(await readInfoFile(dir)).toBeUndefined();
    expect(await readInfoFile(path.join(dir, 'fifo.lua'))).toBeUndefined();
    expect(await readInfoFile(path.join(dir, 'link.lua'))).toBe('return {}');
  });
});
