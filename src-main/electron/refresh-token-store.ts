// The app's refresh tokens at rest (issue 7): one safeStorage-encrypted Record<origin, token> in a 0600 file, replaced atomically; memory only without OS encryption.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import type { RefreshTokenStore } from '../core/auth';

export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'>;

/**
 * `file` holds `safeStorage.encryptString(JSON.stringify({version: 1, refreshTokens}))`, never clear text.
 * When `isEncryptionAvailable()` is false (no keyring on this Linux session), tokens live in memory for this run only:
 * signing in again next time is better than a token in a file anyone with the disk can read (brief §2: "only via safeStorage").
 * Nothing here logs, and errors never carry what was stored.
 */
export function createSafeStorageRefreshTokenStore(safeStorage: SafeStorageLike, file: string): RefreshTokenStore {
  let tokens: Record<string, string> | null = null;

  const load = (): Record<string, string> => {
    if (tokens) return tokens;
    tokens = {};
    if (!safeStorage.isEncryptionAvailable()) return tokens;
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
        for (const [server, token] of Object.entries(stored)) if (typeof token === 'string' && token.length > 0) tokens[server] = token;
      }
    } catch {
      // Sealed by another user or keyring, or damaged: unreadable is the same as signed out.
    }
    return tokens;
  };

  const save = (next: Record<string, string>): void => {
    tokens = next;
    if (!safeStorage.isEncryptionAvailable()) return;
    if (Object.keys(next).length === 0) {
      rmSync(file, { force: true });
      return;
    }
    const sealed = safeStorage.encryptString(JSON.stringify({ version: 1, refreshTokens: next }));
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // Temp file + rename: a crash mid-write leaves the old file or the new one, never half of either.
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      writeFileSync(temp, sealed, { mode: 0o600 });
      chmodSync(temp, 0o600);
      renameSync(temp, file);
    } catch (error) {
      rmSync(temp, { force: true });
      throw new Error(`could not save the sign-in: ${error instanceof Error && 'code' in error ? String(error.code) : 'write failed'}`);
    }
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
