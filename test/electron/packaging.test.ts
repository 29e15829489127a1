// Packaging and static security checks, offline: electron-builder.yml against electron-builder's own schema, electronegativity with no HIGH
// finding, and a --dir pack with a stand-in Electron.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const require = createRequire(import.meta.url);
const dirs: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The fuses the packaged binary must have flipped (Electron's fuses tutorial): no Node mode, no NODE_OPTIONS or --inspect, app.asar only and checked. */
const FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
};
// @electron/fuses finds the wire after this sentinel: a version byte, a length byte, then one '0'/'1' per fuse (FuseV1Options order).
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

// electron-builder's config loader is internal API (app-builder-lib/out/util/config/config): pinned with electron-builder 26.17.0.
type ConfigModule = {
  getConfig(projectDir: string, configPath: string | null, fromOptions: object | null): Promise<Record<string, unknown>>;
  validateConfiguration(config: object, debug: { add(k: string, v: unknown): void; isEnabled: boolean }): Promise<void>;
};
const configModule = require('app-builder-lib/out/util/config/config') as ConfigModule;
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => { add(k: string, v: unknown): void; isEnabled: boolean } };

describe('electron-builder.yml', () => {
  it('passes electron-builder schema validation with AppImage, deb and NSIS targets', async () => {
    const config = await configModule.getConfig(ROOT, path.join(ROOT, 'electron-builder.yml'), null);
    await configModule.validateConfiguration(config, new DebugLogger(false));
    expect((config.linux as { target: string[] }).target).toEqual(['AppImage', 'deb']);
    expect((config.win as { target: string[] }).target).toEqual(['nsis']);
    expect(config.extraMetadata).toEqual({ main: 'dist/main/main.js' });
    expect(config.electronFuses).toEqual(FUSES);
  });

  it('is a real check: a wrong shape is refused', async () => {
    await expect(configModule.validateConfiguration({ linux: { target: 42 }, nonsense: true }, new DebugLogger(false))).rejects.toThrow(/configuration/i);
  });
});

describe('electronegativity', () => {
  it('reports no HIGH finding over main, preload and the built page', { timeout: 60_000 }, async () => {
    const input = temp('lobby-electronegativity-');
    cpSync(path.join(ROOT, 'src-main', 'electron'), path.join(input, 'electron'), { recursive: true });
    cpSync(path.join(ROOT, 'src-main', 'preload'), path.join(input, 'preload'), { recursive: true });
    cpSync(path.join(ROOT, 'src-renderer', 'index.html'), path.join(input, 'index.html'));
    const csv = path.join(input, '..', `${path.basename(input)}.csv`);
    dirs.push(csv);
    // It always exits 0 and tries the network for Electron releases; pinning the version keeps its checks offline.
    await run(path.join(BIN, 'electronegativity'), ['-i', input, '-o', csv, '-r', '-e', '45.4.1'], { cwd: input });
    const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1);
    const findings = rows.map((row) => {
      const [issue, severity, , file, location] = row.split(',');
      return { issue, severity: severity?.replaceAll('"', ''), file, location };
    });
    expect(findings.length).toBeGreaterThan(0); // it did run and read our files
    expect(findings.filter((f) => f.severity === 'HIGH')).toEqual([]);
  });
});

describe('electron-builder --dir', () => {
  it('packs the built app with a stand-in Electron distribution', { timeout: 120_000 }, async () => {
    await run(path.join(BIN, 'tsx'), ['electron.build.ts'], { cwd: ROOT });
    await run(path.join(BIN, 'vite'), ['build', '--logLevel', 'warn'], { cwd: ROOT });
    // The real Electron zip cannot be downloaded here; electronDist points at a folder that looks like one.
    const fakeDist = temp('lobby-fake-electron-');
    // With a fuse wire as Electron ships it (RunAsNode, NODE_OPTIONS and --inspect on; asar checks off), so the pack flips real fuses.
    writeFileSync(path.join(fakeDist, 'electron'), Buffer.concat([Buffer.from(`#!/bin/sh\necho stand-in electron\nexit 0\n# ${FUSE_SENTINEL}`), Buffer.from([1, 8]), Buffer.from('10110000\n')]));
    chmodSync(path.join(fakeDist, 'electron'), 0o755);
    writeFileSync(path.join(fakeDist, 'version'), '45.4.1');
    writeFileSync(path.join(fakeDist, 'LICENSE'), 'MIT');
    writeFileSync(path.join(fakeDist, 'LICENSES.chromium.html'), '');
    const out = temp('lobby-release-');
    mkdirSync(out, { recursive: true });
    await run(path.join(BIN, 'electron-builder'), ['--linux', 'dir', `-c.electronDist=${fakeDist}`, `-c.directories.output=${out}`, '--publish', 'never'], { cwd: ROOT });
    const asar = require('@electron/asar') as { listPackage(archive: string, options: object): string[]; extractFile(archive: string, file: string): Buffer };
    const archive = path.join(out, 'linux-unpacked', 'resources', 'app.asar');
    const files = asar.listPackage(archive, {}).map((f) => f.replaceAll('\\', '/'));
    for (const file of ['/dist/main/main.js', '/dist/preload/index.cjs', '/dist/renderer/index.html', '/package.json']) expect(files).toContain(file);
    expect(files.some((f) => f.startsWith('/src-main') || f.endsWith('.map'))).toBe(false);
    const binary = readFileSync(path.join(out, 'linux-unpacked', 'tachyon-desktop-lobby'));
    const wire = binary.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
    expect([...binary.subarray(wire, wire + 2)]).toEqual([1, 8]);
    // RunAsNode 0, cookie encryption left as it was, NODE_OPTIONS 0, --inspect 0, asar integrity 1, only from asar 1, the rest as they were.
    expect(binary.subarray(wire + 2, wire + 10).toString('latin1')).toBe('00001100');
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as { main: string };
    expect(pkg.main).toBe('dist/main/main.js');
    // The sandboxed preload must need nothing but electron at run time.
    const preload = readFileSync(path.join(ROOT, 'dist', 'preload', 'index.cjs'), 'utf8');
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
  });
});
