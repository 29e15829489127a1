// Where refresh tokens live between runs: an interface (Electron implements it with safeStorage) and a 0600 JSON file for the headless client.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFileSync } from '../files/private-file';

/**
 * Keeps one refresh token per server, keyed by the server's origin (e.g. `https://lobby.example`).
 * Only refresh tokens are stored: access tokens stay in memory. Implementations must never log what they hold.
 */
export interface RefreshTokenStore {
  read(server: string): Promise<string | null>;
  write(server: string, refreshToken: string): Promise<void>;
  delete(server: string): Promise<void>;
}

/** For tests and for "do not remember me": forgets everything when the process ends. */
export function createMemoryRefreshTokenStore(): RefreshTokenStore {
  const tokens = new Map<string, string>();
  return {
    read: async (server) => tokens.get(server) ?? null,
    write: async (server, token) => { tokens.set(server, token); },
    delete: async (server) => { tokens.delete(server); },
  };
}

interface TokenFile {
  version: 1;
  refreshTokens: Record<string, string>;
}

export const REFRESH_TOKEN_FILE = join('auth', 'refresh-tokens.json');

/**
 * The headless client's store: `<dataDir>/auth/refresh-tokens.json`, mode 0600 in a 0700 folder,
 * replaced atomically (write a temp file, rename) so a crash never leaves half a file.
 */
export function createFileRefreshTokenStore(dataDir: string): RefreshTokenStore {
  const dir = join(dataDir, 'auth');
  const file = join(dataDir, REFRESH_TOKEN_FILE);
  const load = (): TokenFile => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return { version: 1, refreshTokens: {} };
    }
    try {
      const parsed = JSON.parse(text) as Partial<TokenFile>;
      const out: Record<string, string> = {};
      // Copy known shapes only: a hand-edited file cannot smuggle anything else in.
      for (const [server, token] of Object.entries(parsed.refreshTokens ?? {})) if (typeof token === 'string') out[server] = token;
      return { version: 1, refreshTokens: out };
    } catch {
      return { version: 1, refreshTokens: {} };
    }
  };
  const save = (data: TokenFile): void => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (Object.keys(data.refreshTokens).length === 0) {
      rmSync(file, { force: true });
      return;
    }
    writePrivateFileSync(file, `${JSON.stringify(data)}\n`);
  };
  return {
    read: async (server) => load().refreshTokens[server] ?? null,
    async write(server, token) {
      const data = load();
      data.refreshTokens[server] = token;
      save(data);
    },
    async delete(server) {
      const data = load();
      if (!(server in data.refreshTokens)) return;
      delete data.refreshTokens[server];
      save(data);
    },
  };
}
