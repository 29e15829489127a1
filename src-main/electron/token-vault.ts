// A session token at rest in main, encrypted with the OS keychain (safeStorage); never written in clear, never sent to the renderer.
// The app no longer stores TACHYON_TOKEN here (fixed-token.ts holds it in memory); main clears what earlier versions left.
import { readFileSync, rmSync } from 'node:fs';
import { isBearerToken } from '../core/connection/bearer-token';
import { safeStorageProtects, writePrivateFileAtomic, type SafeStorageLike } from './refresh-token-store';

export interface TokenVault {
  read(): string | null;
  write(token: string): void;
  clear(): void;
}

export function createTokenVault(safeStorage: SafeStorageLike, file: string): TokenVault {
  // Without real OS encryption the token lives in memory only, for this run: better to sign in again than to leave it in a file.
  let memory: string | null = null;
  return {
    read() {
      if (memory !== null) return memory;
      if (!safeStorageProtects(safeStorage)) return null;
      try {
        const token = safeStorage.decryptString(readFileSync(file));
        // What a file holds is checked like any token that enters: it goes into an Authorization header.
        if (!isBearerToken(token)) return null;
        memory = token;
        return memory;
      } catch {
        return null;
      }
    },
    write(token) {
      if (!isBearerToken(token)) throw new Error('refused a token that cannot be a bearer token');
      memory = token;
      if (!safeStorageProtects(safeStorage)) return;
      writePrivateFileAtomic(file, safeStorage.encryptString(token));
    },
    clear() {
      memory = null;
      rmSync(file, { force: true });
    },
  };
}
