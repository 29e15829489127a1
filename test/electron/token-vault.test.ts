// The session token at rest: encrypted by safeStorage, never in clear, memory-only when the OS offers no encryption.
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTokenVault } from '../../src-main/electron/token-vault';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// A reversible stand-in for the OS keychain; what matters is that the file never holds the token as written.
const fakeSafeStorage = (available: boolean) => ({
  isEncryptionAvailable: () => available,
  encryptString: (s: string) => Buffer.from(s, 'utf8').map((b) => b ^ 0x5a) as Buffer,
  decryptString: (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
});

describe('token vault', () => {
  it('stores the token encrypted and reads it back', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lobby-vault-'));
    dirs.push(dir);
    const file = path.join(dir, 'session.bin');
    createTokenVault(fakeSafeStorage(true), file).write('tok-123456');
    expect(readFileSync(file).toString('utf8')).not.toContain('tok-123456');
    expect(createTokenVault(fakeSafeStorage(true), file).read()).toBe('tok-123456');
    createTokenVault(fakeSafeStorage(true), file).clear();
    expect(existsSync(file)).toBe(false);
  });

  it('keeps the token in memory only without OS encryption', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lobby-vault-'));
    dirs.push(dir);
    const file = path.join(dir, 'session.bin');
    const vault = createTokenVault(fakeSafeStorage(false), file);
    vault.write('tok-abc');
    expect(vault.read()).toBe('tok-abc');
    expect(existsSync(file)).toBe(false);
  });

  it('replaces the file through a temp file and rename: 0600, no temp left, a planted symlink replaced rather than followed', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lobby-vault-'));
    dirs.push(dir);
    const file = path.join(dir, 'session.bin');
    const target = path.join(dir, 'elsewhere');
    writeFileSync(target, 'untouched');
    symlinkSync(target, file);
    createTokenVault(fakeSafeStorage(true), file).write('tok-0123456789');
    expect(readFileSync(target, 'utf8')).toBe('untouched');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['elsewhere', 'session.bin']);
    expect(createTokenVault(fakeSafeStorage(true), file).read()).toBe('tok-0123456789');
  });

  it('checks tokens where they enter: a stored token with a line break is not read, one is not written', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lobby-vault-'));
    dirs.push(dir);
    const file = path.join(dir, 'session.bin');
    const storage = fakeSafeStorage(true);
    writeFileSync(file, storage.encryptString('tok-0123\r\nX-Evil: 1'));
    expect(createTokenVault(storage, file).read()).toBeNull();
    expect(() => createTokenVault(storage, file).write('tok 0123')).toThrow(/bearer token/);
  });
});
