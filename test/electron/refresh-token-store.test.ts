// The app's refresh tokens at rest with `electron` mocked: sealed by safeStorage in a 0600 file, replaced atomically, memory-only without OS encryption.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// A reversible stand-in for the OS keychain that also counts its calls; what matters is that the file never holds a token as written.
const electron = vi.hoisted(() => {
  const state = { available: true, encrypts: 0, backend: 'gnome_libsecret' };
  const safeStorage = {
    isEncryptionAvailable: () => state.available,
    getSelectedStorageBackend: () => state.backend,
    encryptString: (s: string) => {
      state.encrypts += 1;
      return Buffer.from(Buffer.from(s, 'utf8').map((b) => b ^ 0x5a));
    },
    decryptString: (b: Buffer) => {
      if (b[0] !== ('{'.charCodeAt(0) ^ 0x5a)) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8');
    },
  };
  return { state, safeStorage };
});
vi.mock('electron', () => ({ safeStorage: electron.safeStorage }));

const { safeStorage } = await import('electron');
const { createSafeStorageRefreshTokenStore, safeStorageProtects } = await import('../../src-main/electron/refresh-token-store');

const dirs: string[] = [];
afterEach(() => {
  electron.state.available = true;
  electron.state.backend = 'gnome_libsecret';
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tokenFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lobby-rt-'));
  dirs.push(dir);
  return path.join(dir, 'auth', 'refresh-tokens.bin');
}

const A = 'https://lobby.example';
const B = 'http://127.0.0.1:8200';

describe('safeStorage refresh-token store', () => {
  it('keeps one sealed record per origin in a 0600 file and reads it back in a new run', async () => {
    const file = tokenFile();
    const store = createSafeStorageRefreshTokenStore(safeStorage, file);
    expect(await store.read(A)).toBeNull();
    await store.write(A, 'rt_alpha_0123456789');
    await store.write(B, 'rt_bravo_0123456789');
    const bytes = readFileSync(file);
    expect(bytes.toString('utf8')).not.toContain('rt_alpha');
    expect(bytes.toString('latin1')).not.toContain('rt_bravo');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o077).toBe(0);
    // Replaced by rename: no temp file is left beside it.
    expect(readdirSync(path.dirname(file))).toEqual(['refresh-tokens.bin']);

    const again = createSafeStorageRefreshTokenStore(safeStorage, file);
    expect(await again.read(A)).toBe('rt_alpha_0123456789');
    expect(await again.read(B)).toBe('rt_bravo_0123456789');
    // Rotation replaces, delete forgets one server, and the last delete removes the file.
    await again.write(A, 'rt_alpha_rotated_01');
    await again.delete(B);
    const third = createSafeStorageRefreshTokenStore(safeStorage, file);
    expect(await third.read(A)).toBe('rt_alpha_rotated_01');
    expect(await third.read(B)).toBeNull();
    await third.delete(A);
    expect(existsSync(file)).toBe(false);
  });

  it('treats a file it cannot decrypt or parse as signed out, and drops foreign shapes', async () => {
    const file = tokenFile();
    const store = createSafeStorageRefreshTokenStore(safeStorage, file);
    await store.write(A, 'rt_alpha_0123456789');
    writeFileSync(file, Buffer.from('not sealed by this keyring'));
    expect(await createSafeStorageRefreshTokenStore(safeStorage, file).read(A)).toBeNull();
    writeFileSync(file, safeStorage.encryptString(JSON.stringify({ version: 1, refreshTokens: { [A]: 42, [B]: 'rt_ok_0123456789' }, extra: 'x' })));
    const mixed = createSafeStorageRefreshTokenStore(safeStorage, file);
    expect(await mixed.read(A)).toBeNull();
    expect(await mixed.read(B)).toBe('rt_ok_0123456789');
  });

  it('keeps tokens in memory only when the OS offers no encryption', async () => {
    electron.state.available = false;
    const file = tokenFile();
    const before = electron.state.encrypts;
    const store = createSafeStorageRefreshTokenStore(safeStorage, file);
    await store.write(A, 'rt_memory_0123456789');
    expect(await store.read(A)).toBe('rt_memory_0123456789');
    expect(existsSync(file)).toBe(false);
    expect(existsSync(path.dirname(file))).toBe(false);
    expect(electron.state.encrypts).toBe(before);
    // The next run starts signed out.
    expect(await createSafeStorageRefreshTokenStore(safeStorage, file).read(A)).toBeNull();
  });

  it("keeps tokens in memory only when safeStorage falls back to Chromium's built-in key (basic_text, no keyring)", async () => {
    electron.state.backend = 'basic_text';
    expect(safeStorageProtects(safeStorage, 'linux')).toBe(false);
    const file = tokenFile();
    const before = electron.state.encrypts;
    const store = createSafeStorageRefreshTokenStore(safeStorage, file);
    await store.write(A, 'rt_basic_0123456789');
    expect(await store.read(A)).toBe('rt_basic_0123456789');
    expect(existsSync(file)).toBe(false);
    expect(electron.state.encrypts).toBe(before);
    expect(await createSafeStorageRefreshTokenStore(safeStorage, file).read(A)).toBeNull();
    electron.state.backend = 'gnome_libsecret';
    expect(safeStorageProtects(safeStorage, 'linux')).toBe(true);
  });
});
