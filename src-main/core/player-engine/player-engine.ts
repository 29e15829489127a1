// The player's engine for battles: answers battle/start by launching it, and publishes the engine panel as lobby patches.
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import { FailWith } from '../protocol/endpoint';
import {
  ContentScanCache, EngineBusyError, EngineLaunchAbortedError, EngineRunner, EngineSpawnError, matchContent, planBattleLaunch,
  type ArchiveReaders, type EngineClientKind, type EngineRegistry, type EngineRunnerOptions,
} from '../engine';
import { BattleStartFailure } from '../lobby/lobby-client';
import type { LobbyPatch } from '../lobby/state';
import { IntentError } from '../lobby/intents';
import type { Logger } from '../log';

export interface PlayerEngineOptions {
  /** Installed engines (discovering them reads each binary's version, so it may still be under way). */
  registry: EngineRegistry | Promise<EngineRegistry>;
  /** Data dirs holding games and maps, besides the engine's own. */
  contentDirs: readonly string[];
  /** `client` (GL) for players; `headless` for the headless lobby and tests. */
  binary?: EngineClientKind;
  runner?: EngineRunnerOptions;
  statsIntervalMs?: number;
  /** How the content check looks into `.sd7` archives (core/content's 7-Zip; lobby-app passes it). */
  archiveReaders?: ArchiveReaders;
  /**
   * Awaited before the launch is planned: fetches what the battle names (the lobby's downloads, within their deadline),
   * and throws a BattleStartFailure in words when it cannot.
   */
  prepare?: (data: BattleStartRequestData) => Promise<void>;
}

/** A demo to watch: the file (already read whole by the replay library) and what its header and script name. */
export interface ReplayToWatch {
  file: string;
  engineVersion: string;
  game: string;
  map: string;
}

export class PlayerEngine {
  readonly runner: EngineRunner;
  private statsTimer: NodeJS.Timeout | null = null;
  private consoleBuffer: string[] = [];
  private consoleTimer: NodeJS.Timeout | null = null;
  private startedAt: number | null = null;
  private lastStats: { cpuPercent: number | null; rssMb: number | null } = { cpuPercent: null, rssMb: null };
  /** Bumped by every battle/start: a launch still planning when a newer one arrives gives up. */
  private launches = 0;
  private launchesInFlight = 0;
  private readonly content: ContentScanCache;
  /** What the newest launch was: a replay's end is not the end of a battle. */
  private playing: 'battle' | 'replay' = 'battle';

  constructor(
    private readonly options: PlayerEngineOptions,
    private readonly publish: (patch: LobbyPatch) => void,
    private readonly battleEnded: (message?: string) => void,
    private readonly logger: Logger,
  ) {
    this.content = new ContentScanCache(options.archiveReaders ? { readers: options.archiveReaders } : {});
    this.runner = new EngineRunner(options.runner);
    // What battle/start needs that does not depend on the battle is made now: the launch dir and the content scan.
    void this.runner.warm({ binary: options.binary ?? 'client' });
    void this.warmContent();
    this.runner.onStatus((status, snap) => {
      if (status === 'starting') this.startedAt = Date.now();
      if (status === 'running') this.startStats();
      if (status === 'offline') this.stopStats();
      this.publishStatus(snap.pid ?? null, snap.lastExit?.code ?? null, snap.lastExit?.explanation);
    });
    this.runner.onConsole((line) => {
      this.consoleBuffer.push(line.text);
      // Batch console lines: an engine can print thousands a second while loading.
      this.consoleTimer ??= setTimeout(() => this.flushConsole(), 100);
    });
    this.runner.onExit((exit) => {
      this.flushConsole();
      // A stop or kill the player asked for is not a failure: say so plainly instead of explaining a signal.
      const message = exit.requested ? (exit.signal === 'SIGKILL' ? 'Killed.' : 'Stopped.') : exit.explanation;
      this.publishStatus(null, exit.code, message);
      // Replaced by a newer battle/start, or gone while one is being planned: the player is in the new battle.
      if (!exit.replaced && this.launchesInFlight === 0 && this.playing === 'battle') this.battleEnded(exit.ok ? undefined : message);
    });
  }

  /** Scans the content each installed engine would see, so that the first battle/start finds the scan done. */
  private async warmContent(): Promise<void> {
    try {
      const registry = await this.options.registry;
      const binary = this.options.binary ?? 'client';
      for (const engine of registry.engines.filter((e) => e.binaries[binary] !== undefined).slice(0, 4)) {
        await this.content.archives([...this.options.contentDirs, engine.dataDir]);
      }
    } catch (error) {
      this.logger.debug(`content scan ahead of battles: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * The battle/start handler: plan (engine by version lookup, content present, join data safe), then spawn. A second
   * battle/start while one runs replaces it: the server is the authority on which battle the player is in.
   */
  async launch(data: BattleStartRequestData): Promise<void> {
    const launch = ++this.launches;
    this.launchesInFlight++;
    try {
      if (this.options.prepare) await this.options.prepare(data);
      if (launch !== this.launches) throw new FailWith<'battle/start'>('internal_error', new EngineLaunchAbortedError('superseded').message);
      const registry = await this.options.registry;
      const plan = await planBattleLaunch(data, { registry, contentDirs: this.options.contentDirs, binary: this.options.binary ?? 'client', content: this.content });
      if (launch !== this.launches) throw new FailWith<'battle/start'>('internal_error', new EngineLaunchAbortedError('superseded').message);
      if (!plan.ok) throw new FailWith<'battle/start'>(plan.reason, plan.details);
      this.playing = 'battle';
      await this.runner.launch(plan.request, { replace: true });
    } catch (error) {
      throw launchFailure(error);
    } finally {
      this.launchesInFlight--;
    }
  }

  /**
   * Plays a demo in the engine panel (status, console, stop): the engine of the demo's version where one is installed
   * (else the first that has the binary), the game and map checked as for a battle. A replay playing is replaced; a
   * battle is not (stop it first).
   */
  async watchReplay(replay: ReplayToWatch): Promise<void> {
    const registry = await this.options.registry;
    const binary = this.options.binary ?? 'client';
    const engine = [registry.find(replay.engineVersion), ...registry.engines].find((e) => e?.binaries[binary] !== undefined);
    if (engine === undefined) throw new IntentError('not_available', `No installed engine can play this replay (it was recorded with engine ${replay.engineVersion}).`);
    const content = matchContent(await this.content.archives([...this.options.contentDirs, engine.dataDir]), replay.game, replay.map);
    if (!content.ok) throw new IntentError('not_available', `This replay cannot be played: ${content.message ?? 'its content is missing'}.`);
    if (this.playing === 'battle' && this.runner.status !== 'offline') throw new IntentError('invalid_input', 'A battle is running: watch the replay when it has ended.');
    await this.intent(async () => {
      this.playing = 'replay';
      await this.runner.launch({ engine, binary, demo: replay.file, contentDirs: this.options.contentDirs }, { replace: true });
    });
  }

  async start(): Promise<void> {
    await this.intent(() => this.runner.start());
  }

  async stop(): Promise<void> {
    await this.intent(() => this.runner.stop());
  }

  async restart(): Promise<void> {
    await this.intent(() => this.runner.restart());
  }

  async kill(): Promise<void> {
    await this.intent(() => this.runner.kill());
  }

  async dispose(): Promise<void> {
    this.stopStats();
    if (this.consoleTimer) clearTimeout(this.consoleTimer);
    await this.runner.dispose();
  }

  private async intent(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      if (error instanceof EngineBusyError) throw new IntentError('invalid_input', error.message);
      throw new IntentError('not_available', error instanceof Error ? error.message : String(error));
    }
  }

  private publishStatus(pid: number | null, exitCode: number | null, message: string | undefined): void {
    const status = this.runner.status;
    const running = status !== 'offline';
    this.publish({
      slice: 'engine',
      value: {
        status,
        pid: running ? pid : null,
        startedAt: running ? this.startedAt : null,
        cpuPercent: running ? this.lastStats.cpuPercent : null,
        rssMb: running ? this.lastStats.rssMb : null,
        exitCode: running ? null : exitCode,
        ...(message && !running ? { message } : {}),
      },
    });
  }

  private flushConsole(): void {
    if (this.consoleTimer) clearTimeout(this.consoleTimer);
    this.consoleTimer = null;
    if (this.consoleBuffer.length === 0) return;
    const lines = this.consoleBuffer;
    this.consoleBuffer = [];
    this.publish({ slice: 'engineConsole', append: lines });
  }

  private startStats(): void {
    this.stopStats();
    this.statsTimer = setInterval(() => {
      void this.runner.stats().then((stats) => {
        if (!stats || this.runner.status === 'offline') return;
        this.lastStats = { cpuPercent: stats.cpuPercent, rssMb: stats.rssBytes === null ? null : Math.round(stats.rssBytes / 1024 / 102.4) / 10 };
        this.publishStatus(stats.pid, null, undefined);
      }, (error: Error) => this.logger.debug(`engine stats: ${error.message}`));
    }, this.options.statsIntervalMs ?? 2_000);
  }

  private stopStats(): void {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
  }
}

/**
 * The battle/start failure for an error of the launch. The server's details name no local path (they hold the OS user
 * name): a spawn failure says only which system error it was, and the player reads the whole message.
 */
function launchFailure(error: unknown): FailWith<'battle/start'> {
  if (error instanceof FailWith) return error as FailWith<'battle/start'>;
  if (error instanceof EngineLaunchAbortedError) return new FailWith<'battle/start'>('internal_error', error.message);
  const local = error instanceof Error ? error.message : String(error);
  const code = error instanceof EngineSpawnError && error.code !== undefined && /^[A-Z0-9_]{1,32}$/.test(error.code) ? ` (${error.code})` : '';
  return new BattleStartFailure('internal_error', `could not start the engine on the player's machine${code}`, local);
}
