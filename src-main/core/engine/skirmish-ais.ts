// The skirmish AIs an engine can run as bots: `AI/Skirmish/<shortName>/<version>/AIInfo.lua` (and AIOptions.lua) in
// the engine's AI data dirs, read as data. The rules follow the engine's own readers (Recoil's ExternalAI/Interface
// SInfo.cpp and SOption.cpp): info and options are arrays of tables, keys are checked and the first of a repeat wins.
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { LuaInfoError, MAX_INFO_FILE_BYTES, parseLuaInfoTable, readInfoFile, type LuaTable, type LuaValue } from './lua-info';

/** One option an AI offers (AIOptions.lua); the lobby's `SkirmishAiOption` has this shape. */
export interface SkirmishAiOption {
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly type: 'bool' | 'number' | 'string' | 'list';
  /** As start scripts carry option values: text. */
  readonly default: string;
  readonly items?: readonly { readonly key: string; readonly name: string }[];
  readonly min?: number;
  readonly max?: number;
}

/** An installed AI: what the player chooses from (the lobby's `SkirmishAiView` fields), and where it lies (for logs). */
export interface InstalledSkirmishAi {
  readonly shortName: string;
  readonly version: string;
  readonly name: string;
  readonly description: string;
  readonly options: readonly SkirmishAiOption[];
  /** The AI interface it needs (`C` for every AI Debian ships). */
  readonly interfaceShortName: string;
  readonly dir: string;
}

export interface SkirmishAiListing {
  readonly ais: readonly InstalledSkirmishAi[];
  /** What was skipped and why, one line each, for the log (paths, never file contents). */
  readonly problems: readonly string[];
}

// Bounds on what one data dir may make us read: Debian ships six AIs with one version each.
const MAX_AI_NAMES = 64;
const MAX_VERSIONS_PER_AI = 16;
const MAX_INFO_ITEMS = 64;
const MAX_OPTIONS = 128;
const MAX_LIST_ITEMS = 128;
const MAX_NAME_CHARS = 100;
const MAX_DESCRIPTION_CHARS = 1_000;
const MAX_DEFAULT_CHARS = 1_000;

// A short name and version go into start scripts (`ShortName`, `Version`) and name folders: a plain alphabet only.
const AI_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9 ._+-]{0,62}[A-Za-z0-9._+-])?$/;
// The engine refuses keys holding ` =;` or line breaks and lowercases them; ours are stricter, as they are script keys.
const OPTION_KEY = /^[a-z0-9_][a-z0-9_.-]{0,63}$/;

/** Display text from a file: one line (or lines, for descriptions), no control or bidi-format characters, bounded. */
function displayText(value: string, max: number, multiline = false): string {
  const cleaned = (multiline ? value.replace(/(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '') : value.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu, ' ')).trim();
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}

/** The engine's `GetString` reads numbers as text too. */
function asText(value: LuaValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function field(table: LuaTable, key: string): LuaValue | undefined {
  return table.fields.get(key);
}

/** AIInfo.lua → its `key → value` pairs (keys lowercased); throws on a file that is not an info table. */
export function parseAiInfo(source: string): Map<string, string> {
  const root = parseLuaInfoTable(source);
  const info = new Map<string, string>();
  for (const item of root.items.slice(0, MAX_INFO_ITEMS)) {
    if (typeof item !== 'object' || item === null) continue;
    const key = asText(field(item, 'key'));
    const value = asText(field(item, 'value'));
    if (key === undefined || key.length === 0 || /[ =;\r\n\t]/.test(key) || value === undefined || value.length === 0) continue;
    const lower = key.toLowerCase();
    if (!info.has(lower)) info.set(lower, value);
  }
  return info;
}

/** AIOptions.lua → the options a player can set; sections and options the engine would refuse are left out. */
export function parseAiOptions(source: string): SkirmishAiOption[] {
  const root = parseLuaInfoTable(source);
  const options: SkirmishAiOption[] = [];
  const seen = new Set<string>();
  for (const item of root.items) {
    if (options.length >= MAX_OPTIONS) break;
    if (typeof item !== 'object' || item === null) continue;
    const option = readOption(item);
    if (option === undefined || seen.has(option.key)) continue;
    seen.add(option.key);
    options.push(option);
  }
  return options;
}

function readOption(table: LuaTable): SkirmishAiOption | undefined {
  const key = asText(field(table, 'key'))?.toLowerCase();
  if (key === undefined || !OPTION_KEY.test(key)) return undefined;
  const name = displayText(asText(field(table, 'name')) ?? key, MAX_NAME_CHARS) || key;
  const description = displayText(asText(field(table, 'desc')) ?? name, MAX_DESCRIPTION_CHARS, true);
  const type = asText(field(table, 'type'))?.toLowerCase();
  const def = field(table, 'def');
  const base = { key, name, description };
  if (type === 'bool') {
    // Lua's own spelling; the engine's readers take a boolean or a number.
    const on = def === true || (typeof def === 'number' && def !== 0);
    return { ...base, type: 'bool', default: on ? 'true' : 'false' };
  }
  if (type === 'number') {
    const min = field(table, 'min');
    const max = field(table, 'max');
    return {
      ...base, type: 'number', default: String(typeof def === 'number' ? def : 0),
      ...(typeof min === 'number' ? { min } : {}), ...(typeof max === 'number' ? { max } : {}),
    };
  }
  if (type === 'string') return { ...base, type: 'string', default: displayText(asText(def) ?? '', MAX_DEFAULT_CHARS) };
  if (type === 'list') {
    const list = field(table, 'items');
    if (typeof list !== 'object' || list === null) return undefined;
    const items: { key: string; name: string }[] = [];
    for (const entry of list.items.slice(0, MAX_LIST_ITEMS)) {
      // An item is a bare key, or a table with key, name and desc.
      const itemKey = (typeof entry === 'object' && entry !== null ? asText(field(entry, 'key')) : asText(entry))?.toLowerCase();
      if (itemKey === undefined || !OPTION_KEY.test(itemKey) || items.some((i) => i.key === itemKey)) continue;
      const itemName = typeof entry === 'object' && entry !== null ? asText(field(entry, 'name')) : undefined;
      items.push({ key: itemKey, name: displayText(itemName ?? itemKey, MAX_NAME_CHARS) || itemKey });
    }
    if (items.length === 0) return undefined; // the engine refuses an empty list
    const wanted = asText(def)?.toLowerCase();
    const chosen = items.find((i) => i.key === wanted) ?? items[0]!;
    return { ...base, type: 'list', default: chosen.key, items };
  }
  return undefined; // `section` (a heading, not a value) or a type the engine does not know
}

async function listDirs(dir: string, max: number): Promise<Dirent[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).slice(0, max);
  } catch {
    return [];
  }
}

function describe(error: unknown): string {
  if (error instanceof LuaInfoError) return error.message;
  return error instanceof Error ? error.name : 'unreadable';
}

/** One `AI/Skirmish/<name>/<version>` folder read into an AI, with or without a problem to log. */
async function readAiDir(dir: string, interfaces: ReadonlySet<string>): Promise<{ ai?: InstalledSkirmishAi; problem?: string }> {
  const infoFile = path.join(dir, 'AIInfo.lua');
  const infoText = await readInfoFile(infoFile);
  if (infoText === undefined) {
    // Data dirs also hold AI data folders without one (Debian's /usr/share/games/spring/AI/Skirmish/AAI/0.9): not an AI.
    const present = await lstat(infoFile).then(() => true, () => false);
    return present ? { problem: `${infoFile}: not a regular file of at most ${MAX_INFO_FILE_BYTES} bytes` } : {};
  }
  let info: Map<string, string>;
  try {
    info = parseAiInfo(infoText);
  } catch (error) {
    return { problem: `${dir}/AIInfo.lua: ${describe(error)}` };
  }
  const shortName = info.get('shortname');
  const version = info.get('version');
  if (shortName === undefined || !AI_LABEL.test(shortName)) return { problem: `${dir}/AIInfo.lua: no usable shortName` };
  if (version === undefined || !AI_LABEL.test(version)) return { problem: `${dir}/AIInfo.lua: no usable version` };
  const interfaceShortName = info.get('interfaceshortname') ?? '';
  if (!interfaces.has(interfaceShortName)) {
    return { problem: `${dir}: needs the AI interface ${JSON.stringify(interfaceShortName.slice(0, 32))}, which is not installed` };
  }
  const optionsText = await readInfoFile(path.join(dir, 'AIOptions.lua'));
  let options: SkirmishAiOption[] = [];
  let problem: string | undefined;
  if (optionsText !== undefined) {
    try {
      options = parseAiOptions(optionsText);
    } catch (error) {
      // The AI still runs with its own defaults; only its options are not offered.
      problem = `${dir}/AIOptions.lua: ${describe(error)}`;
    }
  }
  const ai = { ...aiView(info, shortName, version, options), interfaceShortName, dir };
  return problem === undefined ? { ai } : { ai, problem };
}

function aiView(info: ReadonlyMap<string, string>, shortName: string, version: string, options: SkirmishAiOption[]): Omit<InstalledSkirmishAi, 'interfaceShortName' | 'dir'> {
  return {
    shortName,
    version,
    name: displayText(info.get('name') ?? shortName, MAX_NAME_CHARS) || shortName,
    description: displayText(info.get('description') ?? '', MAX_DESCRIPTION_CHARS, true),
    options,
  };
}

/**
 * The skirmish AIs in `aiDataDirs` (each holding `AI/Skirmish/` and `AI/Interfaces/`), in SPRING_DATADIR order: the
 * first dir holding a short name and version wins, as the engine's own search does. AI interfaces (`AI/Interfaces`)
 * are not AIs and are never listed; an AI needing an interface none of the dirs has is skipped, as is anything
 * unreadable or malformed (with a problem line). Never throws.
 */
export async function listSkirmishAis(aiDataDirs: readonly string[]): Promise<SkirmishAiListing> {
  const interfaces = new Set<string>();
  for (const root of aiDataDirs) {
    for (const entry of await listDirs(path.join(root, 'AI', 'Interfaces'), MAX_AI_NAMES)) interfaces.add(entry.name);
  }
  const ais: InstalledSkirmishAi[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const root of aiDataDirs) {
    const skirmish = path.join(root, 'AI', 'Skirmish');
    for (const nameDir of await listDirs(skirmish, MAX_AI_NAMES)) {
      for (const versionDir of await listDirs(path.join(skirmish, nameDir.name), MAX_VERSIONS_PER_AI)) {
        const { ai, problem } = await readAiDir(path.join(skirmish, nameDir.name, versionDir.name), interfaces);
        if (problem !== undefined) problems.push(problem);
        if (ai === undefined) continue;
        const id = `${ai.shortName}\n${ai.version}`;
        if (seen.has(id)) continue;
        seen.add(id);
        ais.push(ai);
      }
    }
  }
  return { ais, problems };
}
