// The app's refresh tokens at rest: one safeStorage-encrypted Record<origin, token> in a 0600 file, replaced atomically; memory only without OS encryption.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import type { RefreshTokenStore } from '../core/auth';
import { isBearerToken } from '../core/connection/bearer-token';
import { writePrivateFileSync } from '../core/files/private-file';

export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & Partial<Pick<SafeStorage, 'getSelectedStorageBackend'>>;

/**
 * Whether safeStorage really protects what it seals. On Linux without a keyring (no Secret Service, no KWallet) Electron
 * falls back to `basic_text`, a key hard-coded in Chromium, while `isEncryptionAvailable()` may still say true
 * (Electron's safeStorage docs): that is as good as clear text, so it counts as no encryption.
 */
export function safeStorageProtects(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  return !(platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text');
}

/** What the player is told when sign-ins cannot be kept safely on this computer. */
export const MEMORY_ONLY_SIGN_IN_NOTICE =
  'This computer has no keyring to protect your sign-in, so it is kept only until the app closes: you will sign in again next time.';

/** Writes `data` to `file` through core/files' private-file writer, with an error that says what failed but never what was stored. */
export function writePrivateFileAtomic(file: string, data: Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writePrivateFileSync(file, data);
  } catch (error) {
    throw new Error(`could not save the sign-in: ${error instanceof Error && 'code' in error ? String(error.code) : 'write failed'}`);
  }
}

/**
 * `file` holds `safeStorage.encryptString(JSON.stringify({version: 1, refreshTokens}))`, never clear text.
 * When safeStorage does not protect them (see safeStorageProtects: no keyring on this Linux session), tokens live in memory for this run only:
 * signing in again next time is better than a token in a file anyone with the disk can read (tokens at rest only through Electron's safeStorage).
 * Nothing here logs, and errors never carry what was stored.
 */
export function createSafeStorageRefreshTokenStore(safeStorage: SafeStorageLike, file: string): RefreshTokenStore {
  let tokens: Record<string, string> | null = null;

  const load = (): Record<string, string> => {
    if (tokens) return tokens;
    tokens = {};
    if (!safeStorageProtects(safeStorage)) return tokens;
    let sealed: Buffer;
    try {
      sealed = readFileSync(file);
    } catch {
      return tokens;
    }
    try {
      const parsed = JSON.parse(safeStorage.decryptString(sealed)) as { refreshTokens?: unknown };
      const stored = parsed.refreshTokens;
      // Copy known shapes only: whatever else the file holds is dropped.
      if (stored && typeof stored === 'object') {
        for (const [server, token] of Object.entries(stored)) if (isBearerToken(token)) tokens[server] = token;
      }
    } catch {
      // Sealed by another user or keyring, or damaged: unreadable is the same as signed out.
    }
    return tokens;
  };

  const save = (next: Record<string, string>): void => {
    tokens = next;
    // A file sealed in a session that had a keyring is left alone: it is unreadable here, and readable again there.
    if (!safeStorageProtects(safeStorage)) return;
    if (Object.keys(next).length === 0) {
      rmSync(file, { force: true });
      return;
    }
    writePrivateFileAtomic(file, safeStorage.encryptString(JSON.stringify({ version: 1, refreshTokens: next })));
  };

  return {
    read: async (server) => load()[server] ?? null,
    async write(server, refreshToken) {
      save({ ...load(), [server]: refreshToken });
    },
    async delete(server) {
      const current = load();
      if (!(server in current)) return;
      const next = { ...current };
      delete next[server];
      save(next);
    },
  };
}
