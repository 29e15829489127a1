// What a LocalAutohost is told: its server and sign-in, its engines and content, its limits and timings.
import type { BackoffOptions } from '../connection/backoff';
import type { ArchiveReaders, EngineRegistry, EngineRegistryOptions } from '../engine';
import type { Logger } from '../log';

export interface LocalAutohostOptions {
  /** http(s) base address of the Tachyon server. */
  serverUrl: string;
  /** The autohost's OAuth client: a token comes from the server's token endpoint with client_credentials. */
  clientId?: string;
  clientSecret?: string;
  /** Instead of client id and secret: any token source (asked before every connect). */
  getToken?: () => Promise<string>;
  /** Engines offered; `installEngine` re-scans with `engines` (default: Debian's package). */
  registry?: EngineRegistry;
  engines?: EngineRegistryOptions;
  /** Game and map directories: the first is the engine's --isolation-dir, the rest precede the engine's data dir. */
  contentDirs: readonly string[];
  /** Parent of the per-battle directories (default: the OS temp dir). */
  battlesDir?: string;
  /** Where each battle's host demo is moved when it ends (e.g. `<dataDir>/replays`); without it demos are deleted with the battle's directory. */
  replaysDir?: string;
  /** Address players are told to join (default 127.0.0.1). */
  hostIp?: string;
  /** Address spring-dedicated binds (default: hostIp). */
  bindIp?: string;
  /** Battles at once (default 4); more starts are refused with invalid_request, as recoil-autohost does. */
  maxBattles?: number;
  /** Seconds the engine waits for its first player before quitting (engine default 30, minimum 10). */
  initialNetworkTimeoutSeconds?: number;
  /** More springsettings.cfg lines for every battle. */
  engineSettings?: Readonly<Record<string, string | number>>;
  /**
   * What the host script says for an archive hash the start request does not give: nothing (default) or `1`, as
   * recoil-autohost writes (tests use it to reproduce that autohost's script; engine 106 then cannot start with
   * `fixed` or `random` start positions).
   */
  absentHash?: 'omit' | '1';
  /**
   * Host ports counted up from this one (first battle `firstHostPort + 1`), from scratch in each process and without
   * asking the OS, as recoil-autohost counts `engineStartPort` offsets (tests use it to reproduce that autohost). By
   * default the OS picks a free port for each battle.
   */
  firstHostPort?: number;
  /** How long `start` waits for the engine's first packet (default 10 s). */
  startTimeoutMs?: number;
  /** After `/kill`, how long before SIGTERM; after SIGTERM, how long before SIGKILL (default 3 s and 10 s). */
  killGraceMs?: number;
  stopGraceMs?: number;
  /** Check that the game and map exist before starting (default true), so the answer can say which is missing. */
  checkContent?: boolean;
  /** How that check looks into `.sd7` archives (core/content's 7-Zip; without it they are matched by file name). */
  archiveReaders?: ArchiveReaders;
  /** How long updates are kept for `subscribeUpdates` (default 10 minutes). */
  updatesMaxAgeMs?: number;
  logger?: Logger;
  backoff?: BackoffOptions;
  silenceTimeoutMs?: number;
  now?: () => number;
}
