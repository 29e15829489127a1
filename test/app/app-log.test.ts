// The app's log file on real files: bounded under a flood from one source, one line per message whatever it holds, rotation, and private modes.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openAppLog } from '../../src-main/app/app-log';
import { waitFor } from '../support/world';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function logDir(): string {
  const base = mkdtempSync(path.join(tmpdir(), 'lobby-log-'));
  dirs.push(base);
  return path.join(base, 'logs');
}
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
const mode = (p: string) => statSync(p).mode & 0o777;

describe('app log', () => {
  it('keeps a flood from one source to a bounded file, with one line saying how much was left out', async () => {
    const dir = logDir();
    let now = 1_000_000;
    const log = openAppLog({ dir, now: () => now, linesPerWindow: 100, windowMs: 10_000 });
    const noisy = log.logger.child('connection');
    for (let i = 0; i < 100_000; i += 1) noisy.warn(`dropped an invalid user/updated frame #${i}`);
    log.logger.child('auth').info('signed in');
    now += 10_000;
    noisy.warn('after the window');
    await log.close();
    const written = lines(log.file);
    expect(written.length).toBeLessThanOrEqual(103);
    expect(statSync(log.file).size).toBeLessThan(32 * 1024);
    const parsed = written.map((l) => JSON.parse(l) as { level: string; scope: string; msg: string });
    expect(parsed.filter((l) => l.scope === 'lobby/connection' && l.msg.startsWith('dropped'))).toHaveLength(100);
    expect(parsed.map((l) => l.msg)).toContain('suppressed 99900 more lines from this source in 10 s');
    // Another source is not held back by the noisy one.
    expect(parsed.some((l) => l.scope === 'lobby/auth' && l.msg === 'signed in')).toBe(true);
    expect(parsed.at(-1)?.msg).toBe('after the window');
  });

  it('sums up a flood from a source that then goes quiet, once', async () => {
    const dir = logDir();
    let now = 0;
    const log = openAppLog({ dir, now: () => now, linesPerWindow: 10, windowMs: 20 });
    for (let i = 0; i < 50; i += 1) log.logger.child('quiet-after').warn(`line ${i}`);
    now = 1_000;
    await waitFor('the summary line', () => existsSync(log.file) && readFileSync(log.file, 'utf8').includes('suppressed 40 more lines'));
    await log.close();
    expect(lines(log.file).filter((l) => l.includes('suppressed'))).toHaveLength(1);
  });

  it('writes a message holding line breaks, separators and bidi controls as one visible line', async () => {
    const dir = logDir();
    const log = openAppLog({ dir });
    log.logger.warn('closed: x\n2026-01-01T00:00:00Z error fake: forged\r\u2028\u2029\u202eevil\u0085\u0007');
    await log.close();
    const written = lines(log.file);
    expect(written).toHaveLength(1);
    const { msg } = JSON.parse(written[0]!) as { msg: string };
    expect(msg).toBe('closed: x\\u000a2026-01-01T00:00:00Z error fake: forged\\u000d\\u2028\\u2029\\u202eevil\\u0085\\u0007');
    // eslint-disable-next-line no-control-regex -- the raw characters must be gone from the file
    expect(readFileSync(log.file, 'utf8')).not.toMatch(/[\u2028\u2029\u202e\u0085\u0007\r]/);
  });

  it('rotates by size and keeps three old files', async () => {
    const dir = logDir();
    const log = openAppLog({ dir, maxBytes: 4_000, linesPerWindow: 1_000_000 });
    for (let round = 0; round < 8; round += 1) {
      for (let i = 0; i < 40; i += 1) log.logger.info(`round ${round} line ${i} ${'x'.repeat(40)}`);
    }
    await log.close();
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['main.1.log', 'main.2.log', 'main.3.log', 'main.log']);
    for (const file of files) {
      expect(statSync(path.join(dir, file)).size).toBeLessThan(8_000);
      expect(mode(path.join(dir, file))).toBe(0o600);
    }
    expect(lines(path.join(dir, 'main.log')).some((l) => l.includes('round 7'))).toBe(true);
  });

  it('makes the logs folder 0700 and the log files 0600 even when they already exist', async () => {
    const dir = logDir();
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(path.join(dir, 'main.log'), 'old line\n', { mode: 0o644 });
    writeFileSync(path.join(dir, 'main.2.log'), 'older line\n', { mode: 0o666 });
    chmodSync(path.join(dir, 'main.2.log'), 0o666);
    const log = openAppLog({ dir });
    log.logger.info('hello');
    await log.close();
    expect(mode(dir)).toBe(0o700);
    expect(mode(path.join(dir, 'main.log'))).toBe(0o600);
    expect(mode(path.join(dir, 'main.2.log'))).toBe(0o600);
    expect(lines(log.file)).toHaveLength(2);

    const fresh = logDir();
    const second = openAppLog({ dir: fresh });
    second.logger.info('first line');
    await second.close();
    expect(mode(fresh)).toBe(0o700);
    expect(existsSync(second.file) && mode(second.file)).toBe(0o600);
  });
});
