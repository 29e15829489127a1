// The skirmishAis slice: the player's engines' AIs listed at start, listed again on refreshSkirmishAis, paths kept in the core.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineRegistry } from '../../src-main/core/engine';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import { IntentError } from '../../src-main/core/lobby/intents';
import { createMemoryLogger } from '../../src-main/core/log';
import { waitFor } from '../support/world';

const dirs: string[] = [];
const apps: CoreLobbyApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skirmish-slice-'));
  dirs.push(dir);
  return dir;
}

async function addAi(root: string, shortName: string, version: string): Promise<void> {
  const dir = path.join(root, 'AI', 'Skirmish', shortName, version);
  await mkdir(dir, { recursive: true });
  await mkdir(path.join(root, 'AI', 'Interfaces', 'C', '0.1'), { recursive: true });
  await writeFile(path.join(dir, 'AIInfo.lua'), `return {
    { key = 'shortName', value = '${shortName}' }, { key = 'version', value = '${version}' },
    { key = 'name', value = '${shortName} the bot' }, { key = 'interfaceShortName', value = 'C' },
  }`);
  await writeFile(path.join(dir, 'AIOptions.lua'), "return { { key = 'level', type = 'list', items = { 'easy', 'hard' } } }");
}

function app(options: Partial<Parameters<typeof createLobbyApp>[0]>, dataDir: string): CoreLobbyApp {
  const created = createLobbyApp({ serverUrl: 'http://127.0.0.1:9', getToken: () => 'unused', dataDir, autoConnect: false, ...options });
  apps.push(created);
  return created;
}

describe('the skirmishAis slice', () => {
  it('lists the AIs of every engine at start, each once with the engines that have it, and again on refresh', async () => {
    const a = await tempDir();
    const b = await tempDir();
    await addAi(a, 'NullAI', '0.1');
    await addAi(b, 'NullAI', '0.1');
    await addAi(b, 'KAIK', '0.13');
    const registry = new EngineRegistry([
      { version: '2025.04.01', binaries: {}, dataDir: a, aiDataDirs: [a], source: 'directory' },
      { version: '106.0', binaries: {}, dataDir: b, aiDataDirs: [b], source: 'directory' },
    ]);
    const logger = createMemoryLogger();
    const lobby = app({ engine: { registry: Promise.resolve(registry), contentDirs: [] }, logger }, await tempDir());
    const listed = await waitFor('AIs listed', () => lobby.snapshot().skirmishAis.length > 0 && lobby.snapshot().skirmishAis, 10_000);
    expect(listed).toEqual([
      { shortName: 'KAIK', version: '0.13', name: 'KAIK the bot', description: '', engineVersions: ['106.0'], options: [{ key: 'level', name: 'level', description: 'level', type: 'list', default: 'easy', items: [{ key: 'easy', name: 'easy' }, { key: 'hard', name: 'hard' }] }] },
      { shortName: 'NullAI', version: '0.1', name: 'NullAI the bot', description: '', engineVersions: ['2025.04.01', '106.0'], options: expect.any(Array) },
    ]);
    // Folders name the OS user: they stay in the core and its log.
    expect(JSON.stringify(listed)).not.toContain(a);

    await addAi(a, 'Shard', 'dev');
    await writeFile(path.join(b, 'AI', 'Skirmish', 'KAIK', '0.13', 'AIInfo.lua'), 'return { broken = os.exit() }');
    await lobby.intents.refreshSkirmishAis();
    expect(lobby.snapshot().skirmishAis.map((ai) => `${ai.shortName} ${ai.version}`)).toEqual(['NullAI 0.1', 'Shard dev']);
    expect(logger.lines.some((line) => line.includes('skipped a skirmish AI') && line.includes('KAIK'))).toBe(true);

    // Requests during a read share one more read.
    await Promise.all([lobby.intents.refreshSkirmishAis(), lobby.intents.refreshSkirmishAis(), lobby.intents.refreshSkirmishAis()]);
    expect(lobby.snapshot().skirmishAis).toHaveLength(2);
  });

  it('answers not_available without an engine', async () => {
    const lobby = app({}, await tempDir());
    await expect(lobby.intents.refreshSkirmishAis()).rejects.toSatisfy((error) => error instanceof IntentError && error.code === 'not_available');
    expect(lobby.snapshot().skirmishAis).toEqual([]);
  });
});
