// Builds the tiny game and map the engine needs to run a real match, so tests and local play need only Debian's `spring`.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeZip } from './zip-archive';

export const TEST_GAME_NAME = 'Tachyon Test Game';
export const TEST_GAME_SHORT_NAME = 'TTG';
export const TEST_MAP_NAME = 'Tachyon Test Map';
/** 30 frames a second: the match ends about four seconds after it starts. */
export const DEFAULT_GAME_OVER_FRAME = 120;
/** What each client says in chat once the game runs (draw.lua), so tests can see PLAYER_CHAT. */
export const TEST_CHAT_LINE = 'hello from the tachyon test game';
/** What each client sends as a LuaRules message once the game runs, so tests can see GAME_LUAMSG. */
export const TEST_LUA_MESSAGE = 'tachyon-test-luamsg';

export interface TestContentOptions {
  gameName?: string;
  mapName?: string;
  /** Simulation frame at which LuaRules ends the game. */
  gameOverFrame?: number;
  /** Ally teams LuaRules declares winners. */
  winningAllyTeams?: number[];
  /** `sdd` folders (default) or `sdz` zip archives. */
  format?: 'sdd' | 'sdz';
}

export interface TestContent {
  /** The directory to pass as the engine's content/isolation dir. */
  dir: string;
  gameName: string;
  mapName: string;
  gamePath: string;
  mapPath: string;
}

// Names end up in Lua source and file names: keep them to a plain alphabet rather than quoting.
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

function checkName(name: string, what: string): string {
  if (!PLAIN_NAME.test(name) || name !== name.trim()) throw new Error(`test content: ${what} must be letters, digits, space, dot, dash or underscore`);
  return name;
}

/** A file name derived from a content name: the builder's own names are plain, so this is just tidy, not a guard. */
function fileStem(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

export async function writeTestContent(dir: string, options: TestContentOptions = {}): Promise<TestContent> {
  const gameName = checkName(options.gameName ?? TEST_GAME_NAME, 'gameName');
  const mapName = checkName(options.mapName ?? TEST_MAP_NAME, 'mapName');
  const frame = options.gameOverFrame ?? DEFAULT_GAME_OVER_FRAME;
  if (!Number.isInteger(frame) || frame < 1 || frame > 30 * 3600) throw new Error('test content: gameOverFrame must be an integer from 1 to 108000');
  const winners = options.winningAllyTeams ?? [0];
  if (!winners.every((w) => Number.isInteger(w) && w >= 0 && w < 251)) throw new Error('test content: winningAllyTeams must be ally team numbers');
  const format = options.format ?? 'sdd';

  const gameFiles = testGameFiles(gameName, frame, winners);
  const mapFiles = testMapFiles(mapName);
  const gamePath = path.join(path.resolve(dir), 'games', `${fileStem(gameName)}.${format}`);
  const mapPath = path.join(path.resolve(dir), 'maps', `${fileStem(mapName)}.${format}`);
  await writeArchive(gamePath, gameFiles, format);
  await writeArchive(mapPath, mapFiles, format);
  return { dir: path.resolve(dir), gameName, mapName, gamePath, mapPath };
}

async function writeArchive(target: string, files: ReadonlyMap<string, Buffer>, format: 'sdd' | 'sdz'): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  if (format === 'sdz') {
    await writeFile(target, writeZip(files));
    return;
  }
  for (const [name, data] of files) {
    const file = path.join(target, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
  }
}

/** The game: modinfo, and LuaRules that end the match at `frame` and make every client quit on game over. */
export function testGameFiles(gameName: string, frame: number, winners: readonly number[]): Map<string, Buffer> {
  const modinfo = `-- ${gameName}: a tiny game built by code for tests
return {
  name = "${gameName}",
  shortname = "${TEST_GAME_SHORT_NAME}",
  game = "${gameName}",
  shortgame = "${TEST_GAME_SHORT_NAME}",
  description = "No units; ends after a few seconds",
  modtype = 1,
  -- Without this the client aborts loading (rc 234): the engine needs cursors from a game.
  depend = { "Spring Cursors" },
}
`;
  // Synced: global functions are the call-ins.
  const main = `local GAME_OVER_FRAME = ${frame}
local over = false
function GameFrame(f)
  if not over and f >= GAME_OVER_FRAME then
    over = true
    Spring.GameOver({ ${winners.join(', ')} })
  end
end
`;
  // Unsynced: must exist and be non-empty, else the engine drops LuaRules. A client never exits on its own after
  // game over, hence quitforce.
  const draw = `local greeted = false
function GameFrame(f)
  if not greeted and f >= 1 then
    greeted = true
    Spring.SendCommands("say ${TEST_CHAT_LINE}")
    Spring.SendLuaRulesMsg("${TEST_LUA_MESSAGE}")
  end
end
function GameOver()
  Spring.SendCommands("quitforce")
end
`;
  return new Map([
    ['modinfo.lua', Buffer.from(modinfo)],
    ['LuaRules/main.lua', Buffer.from(main)],
    ['LuaRules/draw.lua', Buffer.from(draw)],
  ]);
}

// Map size in squares (8 elmos each); 128 is the smallest the engine takes.
const MAP_SQUARES = 128;
const SMF_HEADER_SIZE = 80;

/** A solid-colour DXT1 block: both colours the same (RGB565), all indices 0. */
function dxt1Blocks(count: number, rgb565: number): Buffer {
  const out = Buffer.alloc(count * 8);
  for (let i = 0; i < count; i++) {
    out.writeUInt16LE(rgb565, i * 8);
    out.writeUInt16LE(rgb565, i * 8 + 2);
  }
  return out;
}

/** Number of DXT1 blocks in a square texture of `size` texels with all mips down to 4×4. */
function dxt1MipBlocks(size: number): number {
  let blocks = 0;
  for (let s = size; s >= 4; s /= 2) blocks += (s / 4) * (s / 4);
  return blocks;
}

const GRASS = 0x3a65;

export function buildSmt(): Buffer {
  const header = Buffer.alloc(32);
  header.write('spring tilefile\0', 0, 'latin1');
  header.writeInt32LE(1, 16); // version
  header.writeInt32LE(1, 20); // number of tiles
  header.writeInt32LE(32, 24); // tile size
  header.writeInt32LE(1, 28); // compression: DXT1
  return Buffer.concat([header, dxt1Blocks(dxt1MipBlocks(32), GRASS)]); // 680 bytes a tile
}

export function buildSmf(smtName: string, minHeight = 0, maxHeight = 100): Buffer {
  const mapx = MAP_SQUARES;
  const mapy = MAP_SQUARES;
  const heightmap = Buffer.alloc((mapx + 1) * (mapy + 1) * 2);
  const typemap = Buffer.alloc((mapx / 2) * (mapy / 2));
  const tileHeader = Buffer.alloc(8);
  tileHeader.writeInt32LE(1, 0); // tile files
  tileHeader.writeInt32LE(1, 4); // tiles in all
  const tileFile = Buffer.alloc(4);
  tileFile.writeInt32LE(1, 0); // tiles in this file
  const tiles = Buffer.concat([tileHeader, tileFile, Buffer.from(`${smtName}\0`, 'latin1'), Buffer.alloc((mapx / 4) * (mapy / 4) * 4)]);
  const minimap = dxt1Blocks(dxt1MipBlocks(1024), GRASS); // 699,048 bytes
  const metalmap = Buffer.alloc((mapx / 2) * (mapy / 2));
  const features = Buffer.alloc(8); // 0 feature types, 0 features

  const heightmapAt = SMF_HEADER_SIZE;
  const typemapAt = heightmapAt + heightmap.length;
  const tilesAt = typemapAt + typemap.length;
  const minimapAt = tilesAt + tiles.length;
  const metalmapAt = minimapAt + minimap.length;
  const featuresAt = metalmapAt + metalmap.length;

  const header = Buffer.alloc(SMF_HEADER_SIZE);
  header.write('spring map file\0', 0, 'latin1');
  const ints = [1, 0x7ac4_0001, mapx, mapy, 8, 8, 32];
  ints.forEach((v, i) => header.writeInt32LE(v, 16 + i * 4));
  header.writeFloatLE(minHeight, 44);
  header.writeFloatLE(maxHeight, 48);
  [heightmapAt, typemapAt, tilesAt, minimapAt, metalmapAt, featuresAt, 0].forEach((v, i) => header.writeInt32LE(v, 52 + i * 4));
  return Buffer.concat([header, heightmap, typemap, tiles, minimap, metalmap, features]);
}

/** The map: mapinfo.lua plus a flat 1024×1024-elmo SMF and its one-tile SMT. */
export function testMapFiles(mapName: string): Map<string, Buffer> {
  const stem = fileStem(mapName);
  const size = MAP_SQUARES * 8;
  const mapinfo = `-- ${mapName}: a tiny flat map built by code for tests
return {
  name = "${mapName}",
  shortname = "${stem}",
  description = "Flat and empty",
  modtype = 3,
  depend = { "Map Helper v1" },
  mapfile = "maps/${stem}.smf",
  smf = { minheight = 0, maxheight = 100 },
  teams = {
    [0] = { startPos = { x = ${size / 4}, z = ${size / 4} } },
    [1] = { startPos = { x = ${(size * 3) / 4}, z = ${(size * 3) / 4} } },
    [2] = { startPos = { x = ${size / 4}, z = ${(size * 3) / 4} } },
    [3] = { startPos = { x = ${(size * 3) / 4}, z = ${size / 4} } },
  },
}
`;
  return new Map([
    ['mapinfo.lua', Buffer.from(mapinfo)],
    [`maps/${stem}.smf`, buildSmf(`${stem}.smt`)],
    [`maps/${stem}.smt`, buildSmt()],
  ]);
}
