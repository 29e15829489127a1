// The servers a player knows: the embedded local server first, then the addresses they added, each remembering whether it is signed in.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { serverOrigin } from './discovery';

export const EMBEDDED_PROFILE_ID = 'embedded';

export interface ServerProfile {
  /** `embedded`, or the server's origin. */
  readonly id: string;
  readonly kind: 'embedded' | 'remote';
  /** The origin to connect to; null for the embedded server, whose port is chosen at each start. */
  readonly url: string | null;
  readonly label: string;
  readonly signedIn: boolean;
}

/** What is persisted; the embedded profile is always re-added first on load. */
export interface StoredServerProfiles {
  readonly version: 1;
  readonly profiles: readonly ServerProfile[];
}

/** Electron can back this with electron-store; Node uses createJsonFileProfileStore. */
export interface ServerProfileStore {
  load(): Promise<unknown>;
  save(data: StoredServerProfiles): Promise<void>;
}

const EMBEDDED: ServerProfile = { id: EMBEDDED_PROFILE_ID, kind: 'embedded', url: null, label: 'This computer', signedIn: false };
const MAX_PROFILES = 50;

export class ServerProfiles {
  private profiles: ServerProfile[];

  private constructor(private readonly store: ServerProfileStore, profiles: ServerProfile[]) {
    this.profiles = profiles;
  }

  static async open(store: ServerProfileStore): Promise<ServerProfiles> {
    return new ServerProfiles(store, parseProfiles(await store.load().catch(() => null)));
  }

  list(): readonly ServerProfile[] {
    return this.profiles;
  }

  get(id: string): ServerProfile | undefined {
    return this.profiles.find((p) => p.id === id);
  }

  /** Adds an http(s) server address (kept as its origin); adding one twice returns the existing profile. */
  async add(url: string, label?: string): Promise<ServerProfile> {
    const origin = serverOrigin(url);
    const existing = this.get(origin);
    if (existing) return existing;
    if (this.profiles.length >= MAX_PROFILES) throw new Error(`at most ${MAX_PROFILES} servers can be remembered`);
    const profile: ServerProfile = { id: origin, kind: 'remote', url: origin, label: cleanLabel(label) ?? new URL(origin).host, signedIn: false };
    this.profiles = [...this.profiles, profile];
    await this.save();
    return profile;
  }

  async remove(id: string): Promise<void> {
    if (id === EMBEDDED_PROFILE_ID) throw new Error('the embedded server cannot be removed');
    this.profiles = this.profiles.filter((p) => p.id !== id);
    await this.save();
  }

  async setSignedIn(id: string, signedIn: boolean): Promise<void> {
    if (!this.get(id)) throw new Error('unknown server profile');
    this.profiles = this.profiles.map((p) => (p.id === id ? { ...p, signedIn } : p));
    await this.save();
  }

  private save(): Promise<void> {
    return this.store.save({ version: 1, profiles: this.profiles });
  }
}

/** Copies known fields only and rebuilds the embedded profile first, whatever the file says. */
function parseProfiles(data: unknown): ServerProfile[] {
  const out: ServerProfile[] = [];
  const raw = data !== null && typeof data === 'object' ? (data as { profiles?: unknown }).profiles : undefined;
  const list = Array.isArray(raw) ? raw : [];
  const embedded = list.find((p): p is Record<string, unknown> => typeof p === 'object' && p !== null && (p as Record<string, unknown>).id === EMBEDDED_PROFILE_ID);
  out.push({ ...EMBEDDED, signedIn: embedded?.signedIn === true });
  for (const item of list) {
    if (typeof item !== 'object' || item === null || out.length >= MAX_PROFILES) continue;
    const p = item as Record<string, unknown>;
    if (p.id === EMBEDDED_PROFILE_ID || typeof p.url !== 'string') continue;
    let origin: string;
    try {
      origin = serverOrigin(p.url);
    } catch {
      continue;
    }
    if (out.some((q) => q.id === origin)) continue;
    out.push({ id: origin, kind: 'remote', url: origin, label: cleanLabel(p.label) ?? new URL(origin).host, signedIn: p.signedIn === true });
  }
  return out;
}

function cleanLabel(label: unknown): string | undefined {
  if (typeof label !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const clean = label.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 64);
  return clean.length > 0 ? clean : undefined;
}

/** A JSON file (written atomically); holds no secret, so the default mode is fine, but 0600 costs nothing. */
export function createJsonFileProfileStore(file: string): ServerProfileStore {
  return {
    async load() {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as unknown;
      } catch {
        return null;
      }
    },
    async save(data) {
      mkdirSync(dirname(file), { recursive: true });
      const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, file);
    },
  };
}
