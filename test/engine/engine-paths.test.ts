// Paths and environment for the engine on each platform: drive letters on Windows, SPRING_DATADIR's delimiter, /proc-less stats.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkEngineDir, defaultPassEnv, springDataDirValue } from '../../src-main/core/engine/engine-paths';
import { EngineRunner } from '../../src-main/core/engine/engine-runner';
import { defaultProcRoot, readProcessSample } from '../../src-main/core/engine/process-stats';

describe('checkEngineDir and springDataDirValue', () => {
  it('accepts Windows drive-letter paths and joins them with ;', () => {
    const dirs = ['C:\\Games\\Beyond All Reason\\data', 'D:\\content', '\\\\server\\share\\maps'].map((d) => checkEngineDir(d, 'a content dir', path.win32));
    expect(dirs).toEqual(['C:\\Games\\Beyond All Reason\\data', 'D:\\content', '\\\\server\\share\\maps']);
    expect(springDataDirValue(dirs, path.win32)).toBe('C:\\Games\\Beyond All Reason\\data;D:\\content;\\\\server\\share\\maps');
  });

  it("refuses on Windows what would split SPRING_DATADIR or a line, and a relative path resolves like Windows' own", () => {
    expect(() => checkEngineDir('C:\\a;b', 'a content dir', path.win32)).toThrow("a content dir must be an absolute path without ';' or line breaks");
    expect(() => checkEngineDir('C:\\a\nb', 'a content dir', path.win32)).toThrow(/line breaks/);
    expect(() => checkEngineDir('C:\\a\0b', 'a content dir', path.win32)).toThrow(/line breaks/);
    expect(path.win32.isAbsolute(checkEngineDir('E:\\x\\..\\y', 'a content dir', path.win32))).toBe(true);
  });

  it('keeps refusing : on Linux, where it is the delimiter, and joins with :', () => {
    expect(() => checkEngineDir('/data/a:b', 'a content dir', path.posix)).toThrow("a content dir must be an absolute path without ':' or line breaks");
    expect(() => checkEngineDir('C:\\Games', 'a content dir', path.posix)).toThrow(/without ':'/);
    expect(springDataDirValue(['/a', '/usr/share/games/spring'], path.posix)).toBe('/a:/usr/share/games/spring');
    expect(checkEngineDir('/srv/content', 'a content dir', path.posix)).toBe('/srv/content');
  });

  it('passes the variables a Windows program needs, and the display ones on Linux', () => {
    expect(defaultPassEnv('win32')).toEqual(expect.arrayContaining(['PATH', 'SystemRoot', 'TEMP']));
    expect(defaultPassEnv('win32')).not.toContain('DISPLAY');
    expect(defaultPassEnv('linux')).toEqual(expect.arrayContaining(['PATH', 'DISPLAY', 'WAYLAND_DISPLAY', 'XAUTHORITY']));
  });
});

describe('engine stats without /proc', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'engine-paths-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads /proc only on Linux, and a missing proc root gives no sample instead of failing', async () => {
    expect(defaultProcRoot('linux')).toBe('/proc');
    expect(defaultProcRoot('win32')).toBeUndefined();
    expect(defaultProcRoot('darwin')).toBeUndefined();
    expect(await readProcessSample(process.pid, path.join(dir, 'no-proc'))).toBeUndefined();
    expect(await readProcessSample(process.pid, undefined)).toBeUndefined();
    expect(await readProcessSample(process.pid, '/proc')).toMatchObject({ cpuSeconds: expect.any(Number), rssBytes: expect.any(Number) });
  });

  it('the runner reports pid and uptime, with CPU and memory unavailable (null), when the proc root is missing', async () => {
    const binary = path.join(dir, 'spring-headless');
    await writeFile(binary, '#!/bin/sh\nexec sleep 60\n');
    await chmod(binary, 0o755);
    const runner = new EngineRunner({ tempBase: path.join(dir, 'runs'), procRoot: path.join(dir, 'no-proc') });
    try {
      await runner.launch({ engine: { version: '106.0', binaries: { headless: binary }, dataDir: '/usr/share/games/spring', source: 'directory' }, binary: 'headless', join: { ip: '127.0.0.1', port: 8452, username: 'a', password: 'p' } });
      const stats = await runner.stats();
      expect(stats).toMatchObject({ pid: runner.snapshot().pid, cpuPercent: null, rssBytes: null });
      expect(stats?.uptimeMs).toBeGreaterThanOrEqual(0);
    } finally {
      await runner.dispose();
    }
  });
});
