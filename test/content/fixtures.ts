// Test fixtures for the content tests: the engine's tiny test game packed as rapid packages, a local content server
// publishing them, and a fresh data dir per test.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeTestContent } from '../../src-main/core/engine/test-content';
import type { ContentServer } from '../support/content-server';
import { startContentServer } from '../support/content-server';
import type { RapidPackage } from '../support/rapid-packer';
import { packFolder } from '../support/rapid-packer';

export const GAME_NAME = 'Tachyon Test Game';

/**
 * The test game, and a second version of it that differs in LuaRules/main.lua (the game-over frame) and in its name: the
 * engine (and our content check) names a rapid package by its modinfo.lua, so each says the name rapid lists it under.
 */
export async function testPackages(root: string): Promise<{ v1: RapidPackage; v2: RapidPackage }> {
  const a = await writeTestContent(path.join(root, 'v1'), { gameOverFrame: 120, gameName: `${GAME_NAME} test-1` });
  const b = await writeTestContent(path.join(root, 'v2'), { gameOverFrame: 60, gameName: `${GAME_NAME} test-2` });
  return { v1: await packFolder(a.gamePath), v2: await packFolder(b.gamePath) };
}

export interface ContentWorld {
  root: string;
  server: ContentServer;
  v1: RapidPackage;
  v2: RapidPackage;
  dataDir(name?: string): string;
  dispose(): Promise<void>;
}

export async function contentWorld(): Promise<ContentWorld> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'content-'));
  const { v1, v2 } = await testPackages(path.join(root, 'src'));
  const server = await startContentServer();
  server.publish('byar', 'byar:test', `${GAME_NAME} test-1`, v1);
  let n = 0;
  return {
    root, server, v1, v2,
    dataDir: (name) => path.join(root, name ?? `data-${++n}`),
    async dispose() {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Every file under `dir`, relative, sorted. */
export async function treeFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (sub: string) => {
    for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true }).catch(() => [])) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(rel);
      else out.push(rel);
    }
  };
  await walk('');
  return out.sort();
}

/** The pool files a package needs, as `pool/xx/yyyy.gz` paths. */
export function poolPaths(pkg: RapidPackage): string[] {
  return [...pkg.pool.keys()].map((md5) => `pool/${md5.slice(0, 2)}/${md5.slice(2)}.gz`).sort();
}

/** The package installed in `dataDir` byte for byte as served. */
export async function expectInstalled(dataDir: string, pkg: RapidPackage): Promise<boolean> {
  const sdp = await readFile(path.join(dataDir, 'packages', `${pkg.md5}.sdp`)).catch(() => undefined);
  if (!sdp || !sdp.equals(pkg.sdp)) return false;
  for (const [md5, gz] of pkg.pool) {
    const file = await readFile(path.join(dataDir, 'pool', md5.slice(0, 2), `${md5.slice(2)}.gz`)).catch(() => undefined);
    if (!file || !file.equals(gz)) return false;
  }
  return true;
}

/** The URL path of one of a package's pool files. */
export function poolUrlPath(repo: string, md5: string): string {
  return `/${repo}/pool/${md5.slice(0, 2)}/${md5.slice(2)}.gz`;
}
