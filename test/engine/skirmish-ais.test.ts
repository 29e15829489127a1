// Skirmish AIs from AIInfo.lua/AIOptions.lua: the engine's rules for info and options, hostile folders skipped with a
// reason, the registry's AI folders, and the real engine agreeing with our list when given those folders.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineRegistry, engineDataDirs, springDataDirValue, writeTestContent } from '../../src-main/core/engine';
import { listSkirmishAis, parseAiInfo, parseAiOptions } from '../../src-main/core/engine/skirmish-ais';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skirmish-ais-'));
  dirs.push(dir);
  return dir;
}

const info = (entries: Record<string, string>) =>
  `local infos = {\n${Object.entries(entries).map(([key, value]) => `  { key = ${JSON.stringify(key)}, value = ${JSON.stringify(value)}, desc = 'd' },`).join('\n')}\n}\nreturn infos\n`;
const nullInfo = (shortName = 'NullAI', version = '0.1', extra: Record<string, string> = {}) =>
  info({ shortName, version, name: 'Test AI', description: 'Does nothing.', interfaceShortName: 'C', interfaceVersion: '0.1', ...extra });

/** An AI data dir in the engine's layout: `AI/Interfaces/C/0.1` and one folder per AI under `AI/Skirmish`. */
async function aiRoot(ais: Record<string, { info?: string | Buffer; options?: string }>, interfaces = ['C']): Promise<string> {
  const root = await tempDir();
  for (const name of interfaces) {
    await mkdir(path.join(root, 'AI', 'Interfaces', name, '0.1'), { recursive: true });
    await writeFile(path.join(root, 'AI', 'Interfaces', name, '0.1', 'InterfaceInfo.lua'), info({ shortName: name, version: '0.1' }));
  }
  for (const [folder, files] of Object.entries(ais)) {
    const dir = path.join(root, 'AI', 'Skirmish', ...folder.split('/'));
    await mkdir(dir, { recursive: true });
    if (files.info !== undefined) await writeFile(path.join(dir, 'AIInfo.lua'), files.info);
    if (files.options !== undefined) await writeFile(path.join(dir, 'AIOptions.lua'), files.options);
  }
  return root;
}

describe('parseAiInfo', () => {
  it('keeps keys the engine keeps: lowercased, the first of a repeat, non-empty values, numbers as text', () => {
    const parsed = parseAiInfo(`return {
      { key = 'shortName', value = 'NullAI' },
      { key = 'SHORTNAME', value = 'Other' },
      { key = 'version', value = 0.5 },
      { key = 'bad key', value = 'x' },
      { key = 'empty', value = '' },
      { key = 'nested', value = { 'x' } },
      'not a table',
      { value = 'no key' },
    }`);
    expect([...parsed]).toEqual([['shortname', 'NullAI'], ['version', '0.5']]);
  });
});

describe('parseAiOptions', () => {
  it('reads NullAI\'s options as Debian ships them: sections left out, lists, numbers with bounds, bools, strings', async () => {
    const file = '/usr/lib/spring/AI/Skirmish/NullAI/0.1/AIOptions.lua';
    if (!existsSync(file)) return expect.fail(`${file} is missing: install Debian's spring package`);
    const options = parseAiOptions(await readFile(file, 'utf8'));
    expect(options.map((o) => [o.key, o.type, o.default])).toEqual([
      ['aggressiveness', 'list', 'normal'],
      ['maxgroupsize', 'number', '10'],
      ['resourcebonous', 'number', '0'],
      ['maphack', 'bool', 'false'],
      ['reporturl', 'string', 'http://myAIStats.myDomain.com/statsReceiver.cgi'],
    ]);
    expect(options[0]).toMatchObject({ name: 'Level Of Aggressivity', items: [{ key: 'deffensive', name: 'Deffensive' }, { key: 'normal', name: 'Normal' }, { key: 'aggressive', name: 'Aggressive' }] });
    expect(options[1]).toMatchObject({ min: 2, max: 50 });
    expect(options[0]?.description).toBe('How aggressive the AI should act.\nkey: aggressiveness');
  });

  it('leaves out what the engine refuses, and cleans display text', () => {
    const options = parseAiOptions(`return {
      { key = 'Mixed', type = 'BOOL', def = 1 },
      { key = 'mixed', type = 'bool', def = false },
      { key = 'has space', type = 'bool' },
      { key = 'x;y', type = 'bool' },
      { key = 'weird', type = 'color' },
      { key = 'emptylist', type = 'list', items = {} },
      { key = 'noitems', type = 'list' },
      { key = 'plainlist', type = 'list', def = 'B', items = { 'a', 'b', 'b', 'c d', { key = 'e', name = '\\1E\\27[31m' } } },
      { key = 'named', name = '\\n', desc = '\\226\\128\\174rtl\\0', type = 'string', def = 'one\\ntwo' },
      { key = 'n', type = 'number', min = 'low' },
      { key = 'long', name = '${'n'.repeat(500)}', type = 'bool' },
    }`);
    expect(options.map((o) => o.key)).toEqual(['mixed', 'plainlist', 'named', 'n', 'long']);
    expect(options[0]).toMatchObject({ type: 'bool', default: 'true' });
    expect(options[1]).toMatchObject({ default: 'b', items: [{ key: 'a', name: 'a' }, { key: 'b', name: 'b' }, { key: 'e', name: 'E [31m' }] });
    // A name that cleans to nothing falls back to the key; descriptions keep line breaks but no control or bidi characters.
    expect(options[2]).toMatchObject({ name: 'named', default: 'one two' });
    expect(options[2]?.description).toBe('rtl');
    expect(options[3]).toEqual({ key: 'n', name: 'n', description: 'n', type: 'number', default: '0' });
    expect(options[4]?.name.length).toBeLessThanOrEqual(100);
  });

  it('keeps at most 128 options and 128 list items', () => {
    const many = `return { ${Array.from({ length: 300 }, (_, i) => `{ key = 'o${i}', type = 'bool' },`).join('')} }`;
    expect(parseAiOptions(many)).toHaveLength(128);
    const items = `return { { key = 'l', type = 'list', items = { ${Array.from({ length: 300 }, (_, i) => `'i${i}',`).join('')} } } }`;
    expect(parseAiOptions(items)[0]?.items).toHaveLength(128);
  });
});

describe('listSkirmishAis', () => {
  it('lists each AI once, the first data dir winning, and says why the others were skipped', async () => {
    const first = await aiRoot({
      'NullAI/0.1': { info: nullInfo(), options: "return { { key = 'maphack', type = 'bool', def = true } }" },
      'Broken/1': { info: 'return { { key = "shortName", value = os.getenv("HOME") } }' },
      'BadOptions/1': { info: nullInfo('BadOptions', '1'), options: 'return dofile("x")' },
      'Evil/1': { info: nullInfo('../../etc', '1') },
      'EvilVersion/1': { info: nullInfo('EvilVersion', '1;Host=5') },
      'Java/1': { info: nullInfo('JavaAI', '1', { interfaceShortName: 'Java' }) },
      'Huge/1': { info: Buffer.alloc(300 * 1024, 0x20) },
      'NoInfo/1': { options: 'return {}' },
    });
    const second = await aiRoot({ 'NullAI/0.1': { info: nullInfo('NullAI', '0.1', { name: 'Second copy' }) }, 'KAIK/0.13': { info: nullInfo('KAIK', '0.13') } });
    const { ais, problems } = await listSkirmishAis([first, second]);
    expect(ais.map((a) => [a.shortName, a.version, a.name])).toEqual([
      ['BadOptions', '1', 'Test AI'],
      ['NullAI', '0.1', 'Test AI'],
      ['KAIK', '0.13', 'Test AI'],
    ]);
    expect(ais[1]).toMatchObject({ description: 'Does nothing.', interfaceShortName: 'C', options: [{ key: 'maphack', default: 'true' }] });
    expect(ais[0]?.options).toEqual([]);
    const reasons = problems.map((p) => p.replace(first, '<first>'));
    // A folder without AIInfo.lua (NoInfo) is AI data, not a broken AI: Debian's /usr/share/games/spring/AI/Skirmish/AAI/0.9.
    expect(reasons).toEqual([
      '<first>/AI/Skirmish/BadOptions/1/AIOptions.lua: expected a table, not the unknown name "dofile" (line 1)',
      '<first>/AI/Skirmish/Broken/1/AIInfo.lua: expected a value, not the name "os" (line 1)',
      '<first>/AI/Skirmish/Evil/1/AIInfo.lua: no usable shortName',
      '<first>/AI/Skirmish/EvilVersion/1/AIInfo.lua: no usable version',
      '<first>/AI/Skirmish/Huge/1/AIInfo.lua: not a regular file of at most 262144 bytes',
      '<first>/AI/Skirmish/Java/1: needs the AI interface "Java", which is not installed',
    ]);
  });

  it('never lists an AI interface, follows no symlinked folder, and has nothing for dirs without AI/', async () => {
    const root = await aiRoot({ 'NullAI/0.1': { info: nullInfo() } });
    await writeFile(path.join(root, 'AI', 'Interfaces', 'C', '0.1', 'AIInfo.lua'), nullInfo('Interface', '0.1'));
    const elsewhere = await aiRoot({ 'Linked/1': { info: nullInfo('Linked', '1') } });
    await symlink(path.join(elsewhere, 'AI', 'Skirmish', 'Linked'), path.join(root, 'AI', 'Skirmish', 'Linked'));
    await symlink(path.join(root, 'AI', 'Skirmish'), path.join(root, 'AI', 'Skirmish', 'NullAI', 'loop'));
    const empty = await tempDir();
    const { ais } = await listSkirmishAis([root, empty, path.join(empty, 'missing')]);
    expect(ais.map((a) => a.shortName)).toEqual(['NullAI']);
  });

  it('reads Debian\'s AIs as the engine lists them', async () => {
    if (!existsSync('/usr/lib/spring/AI')) return expect.fail("/usr/lib/spring/AI is missing: install Debian's spring package");
    const { ais, problems } = await listSkirmishAis(['/usr/share/games/spring', '/usr/lib/spring']);
    expect(problems).toEqual([]);
    expect(ais.map((a) => `${a.shortName} ${a.version}`)).toEqual(['AAI 0.9', 'CircuitAI stable', 'CppTestAI 0.1', 'KAIK 0.13', 'NullAI 0.1', 'Shard dev']);
  });
});

describe('the registry\'s AI folders', () => {
  async function fakeEngineDir(withAi: boolean): Promise<string> {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'spring-dedicated'), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(dir, 'spring-dedicated'), 0o755);
    if (withAi) await mkdir(path.join(dir, 'AI', 'Skirmish'), { recursive: true });
    return dir;
  }

  it('gives an engine dir its own AI/ folder, the system engine its separate one, and nothing where there is no AI/', async () => {
    const withAi = await fakeEngineDir(true);
    const without = await fakeEngineDir(false);
    const systemBin = await fakeEngineDir(false);
    const systemAi = await tempDir();
    await mkdir(path.join(systemAi, 'AI'));
    const versions = new Map([[withAi, '2025.04.01'], [without, '105.1.1'], [systemBin, '106.0']]);
    const registry = await EngineRegistry.discover({
      engineDirs: [withAi, without], systemBinDir: systemBin, systemDataDir: '/nonexistent/data', systemAiDataDir: systemAi,
      runVersion: async (binary) => `spring-dedicated version ${versions.get(path.dirname(binary))} (Dedicated)`,
    });
    expect(registry.resolve('2025.04.01')).toMatchObject({ dataDir: withAi, aiDataDirs: [withAi] });
    expect(engineDataDirs(registry.resolve('2025.04.01'))).toEqual([withAi]);
    expect(registry.resolve('105.1.1').aiDataDirs).toEqual([]);
    expect(registry.resolve('106.0')).toMatchObject({ source: 'system', dataDir: '/nonexistent/data', aiDataDirs: [systemAi] });
    expect(engineDataDirs(registry.resolve('106.0'))).toEqual(['/nonexistent/data', systemAi]);
    // `--engine <binary>` in the system bin dir is Debian's engine, with Debian's AI folder.
    const explicit = await EngineRegistry.discover({
      engineBinaries: [path.join(systemBin, 'spring-dedicated')], includeSystem: false, systemBinDir: systemBin, systemAiDataDir: systemAi,
      runVersion: async () => 'spring-dedicated version 106.0 (Dedicated)',
    });
    expect(explicit.resolve('106.0').aiDataDirs).toEqual([systemAi]);
  });

  it('knows Debian\'s /usr/lib/spring, and with those data dirs the real engine lists the AIs we list', async () => {
    const registry = await EngineRegistry.discover();
    const engine = registry.engines.find((e) => e.source === 'system');
    if (!engine?.binaries.headless) return expect.fail("Debian's spring-headless is missing: install the spring package");
    expect(engine.aiDataDirs).toEqual(['/usr/lib/spring']);
    const dir = await tempDir();
    const content = path.join(dir, 'content');
    await writeTestContent(content);
    await mkdir(path.join(dir, 'write'));
    await mkdir(path.join(dir, 'home', '.spring'), { recursive: true });
    await writeFile(path.join(dir, 'home', '.spring', 'cacert.pem'), '# placeholder\n');
    const run = (dataDirs: string[]) => promisify(execFile)(engine.binaries.headless!, ['--isolation-dir', content, '--write-dir', path.join(dir, 'write'), '--list-skirmish-ais'], {
      env: { PATH: '/usr/bin:/bin', HOME: path.join(dir, 'home'), SPRING_DATADIR: springDataDirValue(dataDirs) }, timeout: 60_000,
    }).then(({ stdout }) => [...stdout.matchAll(/^# (\S+) +(\S+) +C +0\.1\s*$/gm)].map((m) => `${m[1]} ${m[2]}`));
    const ours = (await listSkirmishAis(engine.aiDataDirs ?? [])).ais.map((a) => `${a.shortName} ${a.version}`);
    expect(await run(engineDataDirs(engine))).toEqual(ours);
    expect(ours).toContain('NullAI 0.1');
    // Without the AI folder the engine knows no AI: the defect a bot's "unknown skirmish AI" came from.
    expect(await run([engine.dataDir])).toEqual([]);
  }, 90_000);
});
