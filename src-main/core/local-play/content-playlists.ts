// The embedded server's playlists, from the games and maps in its content directories; with none, it writes the tiny test game and map so local play works out of the box.
import { join } from 'node:path';
import { scanContent, writeTestContent, TEST_GAME_NAME, TEST_MAP_NAME, type ArchiveReaders } from '../engine';
import type { PlaylistConfig } from '../server/match';

export interface LocalContent {
  /** Content dirs to hand to the autohost and the players' engines (the written test content included). */
  readonly contentDirs: readonly string[];
  readonly game: string;
  readonly map: string;
  readonly builtTestContent: boolean;
}

/**
 * Picks the game and map local play uses: the first of each found (names sorted, so the choice is stable), else the
 * test content written under `scratchDir`.
 */
export async function findLocalContent(contentDirs: readonly string[], scratchDir: string, readers?: ArchiveReaders): Promise<LocalContent> {
  const archives = await scanContent(contentDirs, readers ? { readers } : {});
  const games = archives.filter((a) => a.kind === 'game' && a.nameFrom !== 'file-name').map((a) => a.name).sort();
  const maps = archives.filter((a) => a.kind === 'map' && a.nameFrom !== 'file-name').map((a) => a.name).sort();
  if (games[0] !== undefined && maps[0] !== undefined) return { contentDirs, game: games[0], map: maps[0], builtTestContent: false };
  const dir = join(scratchDir, 'test-content');
  // A long game-over frame: local players play until they quit, not for a test's few seconds.
  await writeTestContent(dir, { gameOverFrame: 30 * 60 * 30 });
  return { contentDirs: [...contentDirs, dir], game: TEST_GAME_NAME, map: TEST_MAP_NAME, builtTestContent: true };
}

/** `1v1` for two players, and `vs-ai` for one player against a bot team (NullAI ships with Debian's engine). */
export function localPlaylists(engine: string, content: Pick<LocalContent, 'game' | 'map'>): PlaylistConfig[] {
  return [
    { id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine, game: content.game, map: content.map },
    { id: 'vs-ai', name: 'Versus AI', numOfTeams: 2, teamSize: 1, engine, game: content.game, map: content.map, botSides: 1, botAi: 'NullAI' },
  ];
}
