// Keeps the session token in main, encrypted with the OS keychain (safeStorage); it is never written in clear and never sent to the renderer.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SafeStorage } from 'electron';

export interface TokenVault {
  read(): string | null;
  write(token: string): void;
  clear(): void;
}

export function createTokenVault(safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'>, file: string): TokenVault {
  // Without OS encryption the token lives in memory only, for this run: better to sign in again than to leave it in a file.
  let memory: string | null = null;
  return {
    read() {
      if (memory !== null) return memory;
      if (!safeStorage.isEncryptionAvailable()) return null;
      try {
        memory = safeStorage.decryptString(readFileSync(file));
        return memory;
      } catch {
        return null;
      }
    },
    write(token) {
      memory = token;
      if (!safeStorage.isEncryptionAvailable()) return;
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, safeStorage.encryptString(token), { mode: 0o600 });
    },
    clear() {
      memory = null;
      rmSync(file, { force: true });
    },
  };
}
