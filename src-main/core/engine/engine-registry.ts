// Installed engines: finds them, reads their versions from the binaries, and maps a requested version to binaries by lookup.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export type EngineBinaryKind = 'client' | 'headless' | 'dedicated';

export interface EngineBinaries {
  /** The GL client players run (`spring`). */
  client?: string;
  /** The client without graphics (`spring-headless`): tests and the headless lobby. */
  headless?: string;
  /** The server (`spring-dedicated`): the local autohost. */
  dedicated?: string;
}

export interface InstalledEngine {
  version: string;
  binaries: Readonly<EngineBinaries>;
  /** The engine's own read-only data (base content), passed as SPRING_DATADIR. */
  dataDir: string;
  /** Where it was found: Debian's package, an engine directory from the settings, or `<dataDir>/engine/<version>/` (downloaded). */
  source: 'system' | 'directory' | 'downloaded';
}

export class UnknownEngineError extends Error {
  override readonly name = 'UnknownEngineError';
  constructor(
    readonly requested: string,
    readonly installed: readonly string[],
  ) {
    const list = installed.length === 0 ? 'no engine is installed' : `installed: ${installed.join(', ')}`;
    super(`engine version ${quoteForMessage(requested)} is not installed (${list})`);
  }
}

export class MissingEngineBinaryError extends Error {
  override readonly name = 'MissingEngineBinaryError';
  constructor(
    readonly version: string,
    readonly kind: EngineBinaryKind,
  ) {
    super(`engine ${version} has no ${kind} binary (${BINARY_NAMES[kind]})`);
  }
}

/** Server-given text in a message: bounded and JSON-quoted, so a hostile string cannot forge log lines. */
export function quoteForMessage(text: string, max = 80): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

const BINARY_NAMES: Readonly<Record<EngineBinaryKind, string>> = {
  client: 'spring',
  headless: 'spring-headless',
  dedicated: 'spring-dedicated',
};

// Cheapest first: the GL client needs ~2 s just to print its version, the dedicated server ~0.1 s.
const VERSION_PROBE_ORDER: readonly EngineBinaryKind[] = ['dedicated', 'headless', 'client'];

// A version is at most a label: it must never look like a path. Matches tachyon's engineVersion alphabet.
const VERSION_TEXT = /^[0-9A-Za-z][0-9A-Za-z .+_-]{0,99}$/;

/**
 * The version in a binary's `--version` output: `spring-dedicated version 106.0 (Dedicated)` → `106.0`. Accepts the
 * log banner form (`Spring Engine Version: 106.0`) and a bare version line too.
 */
export function parseEngineVersion(output: string): string | undefined {
  const labelled = /\bversion:?\s+([0-9][0-9A-Za-z.+_-]*)/i.exec(output);
  const bare = /^\s*(?:[a-z-]+\s+)?([0-9]+(?:\.[0-9]+)+[0-9A-Za-z.+_-]*)\s*$/im.exec(output);
  const version = (labelled ?? bare)?.[1]?.replace(/[.+_-]+$/, '');
  return version !== undefined && VERSION_TEXT.test(version) ? version : undefined;
}

export type RunVersion = (binary: string) => Promise<string>;

/** Runs `<binary> --version` with a bounded time and a minimal environment, returning its output. */
export const runVersionCommand: RunVersion = (binary) =>
  new Promise((resolve, reject) => {
    execFile(
      binary,
      ['--version'],
      { timeout: 10_000, maxBuffer: 256 * 1024, env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent', LANG: 'C' } },
      (error, stdout, stderr) => {
        const output = `${stdout}\n${stderr}`;
        if (error && parseEngineVersion(output) === undefined) reject(error);
        else resolve(output);
      },
    );
  });

export interface EngineRegistryOptions {
  /**
   * Single binaries given explicitly (the headless client's `--engine <binary>`): its version is read from it, its
   * siblings of the other kinds are used if present, and its data dir is Debian's for /usr/games, else its own dir.
   */
  engineBinaries?: readonly string[];
  /** Engine directories from the settings: each holds the binaries and is its own data dir (Recoil's layout). */
  engineDirs?: readonly string[];
  /**
   * Data dirs whose `engine/<version>/` folders hold downloaded engines (Recoil's layout, as the files client installs
   * them): the folder's name is the version, as the files API and the playlists name it, so no `--version` is run.
   */
  downloadDataDirs?: readonly string[];
  /** Look for Debian's `spring` package (default true). */
  includeSystem?: boolean;
  systemBinDir?: string;
  systemDataDir?: string;
  runVersion?: RunVersion;
}

export const DEBIAN_BIN_DIR = '/usr/games';
export const DEBIAN_DATA_DIR = '/usr/share/games/spring';

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function findBinaries(binDir: string): Promise<EngineBinaries> {
  const binaries: EngineBinaries = {};
  for (const kind of VERSION_PROBE_ORDER) {
    const file = path.join(binDir, BINARY_NAMES[kind]);
    if (await isExecutable(file)) binaries[kind] = file;
  }
  return binaries;
}

export class EngineRegistry {
  private readonly byVersion: ReadonlyMap<string, InstalledEngine>;

  constructor(
    engines: readonly InstalledEngine[],
    /** Directories that were looked at but gave no usable engine, with why (for settings UIs and logs). */
    readonly problems: readonly string[] = [],
  ) {
    const map = new Map<string, InstalledEngine>();
    // First found wins: settings directories come before the system package, so a user can override it.
    for (const engine of engines) if (!map.has(engine.version)) map.set(engine.version, engine);
    this.byVersion = map;
  }

  static async discover(options: EngineRegistryOptions = {}): Promise<EngineRegistry> {
    const runVersion = options.runVersion ?? runVersionCommand;
    const candidates: Array<{ binDir: string; dataDir: string; source: InstalledEngine['source']; only?: string; version?: string }> = [];
    for (const binary of options.engineBinaries ?? []) {
      const abs = path.resolve(binary);
      const binDir = path.dirname(abs);
      const dataDir = binDir === (options.systemBinDir ?? DEBIAN_BIN_DIR) ? (options.systemDataDir ?? DEBIAN_DATA_DIR) : binDir;
      candidates.push({ binDir, dataDir, source: 'directory', only: abs });
    }
    for (const dir of options.engineDirs ?? []) {
      const abs = path.resolve(dir);
      candidates.push({ binDir: abs, dataDir: abs, source: 'directory' });
    }
    for (const dataDir of options.downloadDataDirs ?? []) {
      const root = path.join(path.resolve(dataDir), 'engine');
      const names = await readdir(root, { withFileTypes: true }).catch(() => []);
      // Hidden names are a download's unpacking folders and archives; a name that is no version is not an engine.
      for (const entry of names.filter((e) => e.isDirectory() && VERSION_TEXT.test(e.name)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const binDir = path.join(root, entry.name);
        candidates.push({ binDir, dataDir: binDir, source: 'downloaded', version: entry.name });
      }
    }
    if (options.includeSystem ?? true) {
      candidates.push({ binDir: options.systemBinDir ?? DEBIAN_BIN_DIR, dataDir: options.systemDataDir ?? DEBIAN_DATA_DIR, source: 'system' });
    }
    const engines: InstalledEngine[] = [];
    const problems: string[] = [];
    for (const candidate of candidates) {
      const binaries = await findBinaries(candidate.binDir);
      if (candidate.only !== undefined) {
        const kind = (Object.keys(BINARY_NAMES) as EngineBinaryKind[]).find((k) => binaries[k] === candidate.only);
        if (kind === undefined) {
          problems.push(`${candidate.only}: not an executable spring, spring-headless or spring-dedicated`);
          continue;
        }
      }
      const probe = candidate.only ?? VERSION_PROBE_ORDER.map((kind) => binaries[kind]).find((b) => b !== undefined);
      if (probe === undefined) {
        if (candidate.source !== 'system') problems.push(`${candidate.binDir}: no spring, spring-headless or spring-dedicated binary`);
        continue;
      }
      if (candidate.version !== undefined) {
        engines.push({ version: candidate.version, binaries, dataDir: candidate.dataDir, source: candidate.source });
        continue;
      }
      let version: string | undefined;
      try {
        version = parseEngineVersion(await runVersion(probe));
      } catch (error) {
        problems.push(`${probe}: --version failed (${error instanceof Error ? error.message : String(error)})`);
        continue;
      }
      if (version === undefined) {
        problems.push(`${probe}: no version in its --version output`);
        continue;
      }
      engines.push({ version, binaries, dataDir: candidate.dataDir, source: candidate.source });
    }
    return new EngineRegistry(engines, problems);
  }

  get engines(): InstalledEngine[] {
    return [...this.byVersion.values()];
  }

  get versions(): string[] {
    return [...this.byVersion.keys()];
  }

  /** The engine for `version` by exact lookup; a version that looks like a path is simply not installed. */
  find(version: string): InstalledEngine | undefined {
    return typeof version === 'string' ? this.byVersion.get(version) : undefined;
  }

  /** Like `find`, but an unknown version is an error naming what is installed. */
  resolve(version: string): InstalledEngine {
    const engine = this.find(version);
    if (engine === undefined) throw new UnknownEngineError(String(version), this.versions);
    return engine;
  }

  binary(version: string, kind: EngineBinaryKind): string {
    const engine = this.resolve(version);
    const binary = engine.binaries[kind];
    if (binary === undefined) throw new MissingEngineBinaryError(engine.version, kind);
    return binary;
  }
}
