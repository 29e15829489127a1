// The local autohost: the autohost actor of Tachyon (seed 003) over spring-dedicated and its UDP autohost interface, one directory per battle.
import { spawn, type ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AutohostStartRequestData, AutohostStatusEventData, AutohostUpdateEventData } from 'tachyon-protocol/types';
import { TachyonConnection, type ConnectionStatus } from '../connection/tachyon-connection';
import type { BackoffOptions } from '../connection/backoff';
import type { Logger } from '../log';
import { silentLogger } from '../log';
import { FailWith } from '../protocol/endpoint';
import type { RequestData } from '../protocol/commands';
import {
  AutohostCommandError,
  AutohostInterface,
  EngineRegistry,
  StartScriptError,
  buildHostScript,
  checkContent,
  encodeChat,
  encodeCommand,
  followLines,
  normaliseBattleId,
  defaultPassEnv,
  quoteForMessage,
  springDataDirValue,
  unsafeTextReason,
  type AutohostEvent,
  type EngineRegistryOptions,
  type InstalledEngine,
} from '../engine';
import { ClientCredentials } from './client-credentials';
import { createBattleDir, sweepLeftoverBattleDirs } from './battle-dirs';
import { checkRoster, springSettings } from './battle-setup';
import { pickHostPort } from './host-port';
import { SpawnedEngines } from './spawned-engines';
import { compileLuamsgFilter, LuamsgPatternError, type LuamsgFilter } from './luamsg-filter';
import { applyBattleUpdate, initialBattleState, withPlayerAdded, type HostedBattleState } from './battle-state';
import { UpdateBuffer, type BattleUpdate } from './update-buffer';
import { AutohostSession, type AutohostService } from './autohost-session';
import { redactBattleText, toUpdate } from './engine-updates';

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
  /** How long `start` waits for the engine's first packet (default 10 s). */
  startTimeoutMs?: number;
  /** After `/kill`, how long before SIGTERM; after SIGTERM, how long before SIGKILL (default 3 s and 10 s). */
  killGraceMs?: number;
  stopGraceMs?: number;
  /** Check that the game and map exist before starting (default true), so the answer can say which is missing. */
  checkContent?: boolean;
  /** How long updates are kept for `subscribeUpdates` (default 10 minutes). */
  updatesMaxAgeMs?: number;
  logger?: Logger;
  backoff?: BackoffOptions;
  silenceTimeoutMs?: number;
  now?: () => number;
}

/** A battle's engine process and what maps engine player numbers to Tachyon users. */
interface Battle {
  readonly key: string;
  /** The battleId exactly as the server sent it: updates carry it back unchanged. */
  readonly wireId: string;
  readonly dir: string;
  readonly luamsg: LuamsgFilter | null;
  readonly userByNumber: Map<number, string>;
  readonly playerByUser: Map<string, { name: string; playerNumber: number }>;
  readonly passwords: Set<string>;
  readonly gameOverReporters: Set<number>;
  readonly outputTail: string[];
  iface: AutohostInterface | null;
  child: ChildProcess | null;
  pid: number | null;
  port: number | null;
  answered: boolean;
  /** engine_quit or engine_crash was sent: nothing more for this battle. */
  terminal: boolean;
  /** The process is gone (or never started) and the battle's resources are released. */
  released: boolean;
  /** Its socket is closed and its directory deleted: only now does it stop counting against maxBattles. */
  cleanedUp: boolean;
  killRequested: boolean;
  /** spawn → SERVER_STARTED, for the log. */
  firstPacketMs: number | null;
  timers: NodeJS.Timeout[];
  state: HostedBattleState;
  onStarted: (() => void) | null;
  onGone: ((why: string) => void) | null;
  readonly gone: Promise<void>;
  markGone: () => void;
}

type StartAnswer = { ips: string[]; port: number };

const OUTPUT_LINES_KEPT = 30;
const ENDED_BATTLES_KEPT = 20;

export class LocalAutohost implements AutohostService {
  private registry: EngineRegistry | null;
  private readonly battles = new Map<string, Battle>();
  private readonly engines = new SpawnedEngines();
  private readonly updates: UpdateBuffer;
  private readonly connection: TachyonConnection;
  private readonly credentials: ClientCredentials | null;
  private readonly session: AutohostSession;
  private readonly logger: Logger;
  private readonly now: () => number;
  private rescan: Promise<void> | null = null;
  private closing = false;
  private readonly battleListeners = new Set<(battle: HostedBattleState) => void>();
  private readonly updateListeners = new Set<(update: AutohostUpdateEventData) => void>();

  constructor(private readonly options: LocalAutohostOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.registry = options.registry ?? null;
    this.updates = new UpdateBuffer({ maxAgeMs: options.updatesMaxAgeMs, now: this.now });
    if (options.getToken) this.credentials = null;
    else if (options.clientId !== undefined && options.clientSecret !== undefined) {
      this.credentials = new ClientCredentials({ serverUrl: options.serverUrl, clientId: options.clientId, clientSecret: options.clientSecret });
    } else throw new Error('LocalAutohost needs clientId and clientSecret, or getToken');
    const getToken = options.getToken ?? (() => this.credentials!.getToken());
    this.connection = new TachyonConnection({
      serverUrl: options.serverUrl,
      getToken,
      logger: this.logger.child('connection'),
      backoff: options.backoff,
      silenceTimeoutMs: options.silenceTimeoutMs,
      // system/disconnect is a user command: the autohost actor just closes.
      disconnectOnClose: false,
    });
    this.session = new AutohostSession({
      connection: this.connection,
      service: this,
      updates: this.updates,
      status: () => this.status,
      onUnauthorized: () => this.credentials?.invalidate(),
      logger: this.logger,
    });
  }

  // ---- public API ----

  /** Finds the engines (unless a registry was given) and connects; reconnects by itself until `close()`. */
  async start(): Promise<void> {
    await this.sweepLeftovers();
    this.registry ??= await EngineRegistry.discover(this.options.engines ?? {});
    this.connection.start();
  }

  get connectionStatus(): ConnectionStatus {
    return this.connection.status;
  }

  onConnectionStatus(listener: (status: ConnectionStatus) => void): () => void {
    return this.connection.onStatus(listener);
  }

  /** What the server is told in `autohost/status`. */
  get status(): AutohostStatusEventData {
    const engines = (this.registry?.engines ?? []).filter((e) => e.binaries.dedicated !== undefined).map((e) => e.version);
    const currentBattles = [...this.battles.values()].filter((b) => !b.cleanedUp).length;
    return { maxBattles: this.options.maxBattles ?? 4, currentBattles, availableEngines: engines };
  }

  onStatus(listener: (status: AutohostStatusEventData) => void): () => void {
    return this.session.onStatus(listener);
  }

  /** Every battle this autohost hosted since it started, as plain JSON for the UI. */
  get hostedBattles(): HostedBattleState[] {
    return [...this.battles.values()].map((b) => b.state);
  }

  hostedBattle(battleId: string): HostedBattleState | undefined {
    return this.battles.get(keyOf(battleId) ?? '')?.state;
  }

  onBattleChange(listener: (battle: HostedBattleState) => void): () => void {
    this.battleListeners.add(listener);
    return () => this.battleListeners.delete(listener);
  }

  /** Every update as it is made (whether or not a server is subscribed). */
  onUpdate(listener: (update: AutohostUpdateEventData) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** The updates still kept for `subscribeUpdates`, oldest first. */
  get bufferedUpdates(): readonly AutohostUpdateEventData[] {
    return this.updates.all();
  }

  /** The spring-dedicated process id of a battle, while it runs. */
  enginePid(battleId: string): number | undefined {
    const battle = this.battles.get(keyOf(battleId) ?? '');
    return battle && !battle.released ? (battle.pid ?? undefined) : undefined;
  }

  /** Kills every engine it started, closes its sockets and the connection, and deletes the battle directories. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.session.close();
    const live = [...this.battles.values()].filter((b) => !b.released);
    for (const battle of live) this.terminate(battle, 'SIGTERM');
    // Every battle's clean-up, also of those already released whose directory is still being deleted.
    await Promise.all([...this.battles.values()].map((b) => b.gone));
    // Whatever still runs (nothing, unless a battle lost track of its process) does not outlive close().
    this.engines.killAll('SIGKILL');
    await this.connection.close('autohost shutting down');
  }

  // ---- the autohost service (seed 003); each throws FailWith to answer `failed` ----

  async startBattle(data: AutohostStartRequestData): Promise<StartAnswer> {
    const requestedAt = this.now();
    const startedAt = performance.now();
    if (this.closing) throw new FailWith<'autohost/start'>('internal_error', 'the autohost is shutting down');
    const key = keyOf(data.battleId);
    if (key === undefined) throw new FailWith<'autohost/start'>('invalid_request', 'battleId must be a UUID');
    const existing = this.battles.get(key);
    if (existing && !existing.state.end) throw new FailWith<'autohost/start'>('battle_already_exists', `battle ${key} is already hosted here`);
    const engine = this.findEngine(data.engineVersion);
    this.checkRoom();
    const roster = checkRoster(data);
    let luamsg: LuamsgFilter | null = null;
    if (data.luamsgRegexp !== undefined) {
      try {
        luamsg = compileLuamsgFilter(data.luamsgRegexp);
      } catch (error) {
        if (error instanceof LuamsgPatternError) throw new FailWith<'autohost/start'>('invalid_request', error.message);
        throw error;
      }
    }
    // Hostile or malformed start data is refused here, before any directory, socket or process exists.
    this.hostScript(data, 1, 1);
    if (this.options.checkContent ?? true) {
      const content = await checkContent({ dataDirs: [...this.options.contentDirs, engine.dataDir], gameName: data.gameName, mapName: data.mapName });
      if (!content.ok) throw new FailWith<'autohost/start'>('internal_error', content.message ?? 'the game or map is not installed');
    }
    // Another start may have arrived during the content check.
    if (this.battles.get(key) && !this.battles.get(key)!.state.end) {
      throw new FailWith<'autohost/start'>('battle_already_exists', `battle ${key} is already hosted here`);
    }
    this.checkRoom();

    let markGone = () => {};
    const gone = new Promise<void>((resolve) => (markGone = resolve));
    const battle: Battle = {
      key,
      wireId: data.battleId,
      dir: '',
      luamsg,
      userByNumber: new Map(roster.map((p, n) => [n, p.userId])),
      playerByUser: new Map(roster.map((p, n) => [p.userId, { name: p.name, playerNumber: n }])),
      passwords: new Set(roster.map((p) => p.password)),
      gameOverReporters: new Set(),
      outputTail: [],
      iface: null,
      child: null,
      pid: null,
      port: null,
      answered: false,
      terminal: false,
      released: false,
      cleanedUp: false,
      killRequested: false,
      firstPacketMs: null,
      timers: [],
      state: initialBattleState({
        battleId: key,
        engineVersion: engine.version,
        gameName: data.gameName,
        mapName: data.mapName,
        requestedAt,
        players: roster.map((p) => ({ userId: p.userId, name: p.name, spectator: p.spectator })),
      }),
      onStarted: null,
      onGone: null,
      gone,
      markGone,
    };
    // Reserved before the first await that creates anything, so capacity and duplicates are checked against it.
    this.battles.delete(key);
    this.battles.set(key, battle);
    this.forgetOldBattles();
    this.changed(battle);
    this.session.sendStatus();
    try {
      const port = await this.launch(battle, data, engine);
      battle.answered = true;
      battle.state = { ...battle.state, port };
      this.changed(battle);
      this.logger.info(`battle ${key} is up on port ${port} (${Math.round(performance.now() - startedAt)} ms after the start request, the engine's first packet ${battle.firstPacketMs} ms after its spawn)`);
      return { ips: [this.options.hostIp ?? '127.0.0.1'], port };
    } catch (error) {
      const details = error instanceof Error ? error.message : String(error);
      this.logger.warn(`battle ${key} could not start: ${details}`);
      if (battle.child) this.terminate(battle, 'SIGKILL');
      else this.processGone(battle, details, false);
      await battle.gone;
      this.battles.delete(key);
      this.session.sendStatus();
      throw new FailWith<'autohost/start'>('internal_error', details);
    }
  }

  private checkRoom(): void {
    const status = this.status;
    if (status.currentBattles >= status.maxBattles) {
      throw new FailWith<'autohost/start'>('invalid_request', `this autohost is full (${status.currentBattles} of ${status.maxBattles} battles)`);
    }
  }

  /** Ended battles stay visible to the UI, the newest few only. */
  private forgetOldBattles(): void {
    const ended = [...this.battles.values()].filter((b) => b.released && b.state.end !== null);
    for (const battle of ended.slice(0, Math.max(0, ended.length - ENDED_BATTLES_KEPT))) this.battles.delete(battle.key);
  }

  async killBattle(data: RequestData<'autohost/kill'>): Promise<void> {
    const battle = this.lookup(data.battleId, true);
    if (battle.released || battle.killRequested) return;
    battle.killRequested = true;
    this.logger.info(`killing battle ${battle.key}`);
    try {
      await battle.iface?.sendCommand('kill');
    } catch {
      // No command channel (the engine never spoke): the signals below still end it.
    }
    battle.timers.push(setTimeout(() => this.terminate(battle, 'SIGTERM'), this.options.killGraceMs ?? 3_000));
  }

  async addPlayer(data: RequestData<'autohost/addPlayer'>): Promise<void> {
    const battle = this.lookup(data.battleId);
    const known = battle.playerByUser.get(data.userId);
    if (known && known.name !== data.name) throw new FailWith<'autohost/addPlayer'>('invalid_request', 'this userId plays under another name');
    if (!known && [...battle.playerByUser.values()].some((p) => p.name.toLowerCase() === data.name.toLowerCase())) {
      throw new FailWith<'autohost/addPlayer'>('invalid_request', 'another player of this battle has that name');
    }
    const nameProblem = unsafeTextReason(data.name, 'value') ?? (/\s/.test(data.name) || data.name.length === 0 ? 'must be non-empty without spaces' : undefined);
    if (nameProblem) throw new FailWith<'autohost/addPlayer'>('invalid_request', `name ${nameProblem}`);
    if (data.userId.length === 0) throw new FailWith<'autohost/addPlayer'>('invalid_request', 'userId must not be empty');
    // `/adduser name password 1` adds a spectator; without the `1` it sets a known player's new password.
    const args = known ? [data.name, data.password] : [data.name, data.password, '1'];
    await this.sendToEngine(battle, 'adduser', args);
    if (!known) {
      const playerNumber = battle.userByNumber.size;
      battle.userByNumber.set(playerNumber, data.userId);
      battle.playerByUser.set(data.userId, { name: data.name, playerNumber });
      battle.state = withPlayerAdded(battle.state, { userId: data.userId, name: data.name, playerNumber });
      this.changed(battle);
    }
    battle.passwords.add(data.password);
  }

  async kickPlayer(data: RequestData<'autohost/kickPlayer'>): Promise<void> {
    const battle = this.lookup(data.battleId);
    await this.sendToEngine(battle, 'kick', [this.nameOf(battle, data.userId)]);
  }

  async mutePlayer(data: RequestData<'autohost/mutePlayer'>): Promise<void> {
    const battle = this.lookup(data.battleId);
    await this.sendToEngine(battle, 'mute', [this.nameOf(battle, data.userId), data.chat ? '1' : '0', data.draw ? '1' : '0']);
  }

  async specPlayers(data: RequestData<'autohost/specPlayers'>): Promise<void> {
    const battle = this.lookup(data.battleId);
    // Every name is checked before the first command, so a bad id changes nothing.
    const names = data.userIds.map((userId) => this.nameOf(battle, userId));
    for (const name of names) await this.sendToEngine(battle, 'spec', [name]);
  }

  async sendCommand(data: RequestData<'autohost/sendCommand'>): Promise<void> {
    const battle = this.lookup(data.battleId);
    await this.sendToEngine(battle, data.command, data.arguments ?? []);
  }

  async sendMessage(data: RequestData<'autohost/sendMessage'>): Promise<void> {
    const battle = this.lookup(data.battleId);
    try {
      encodeChat(data.message);
    } catch (error) {
      if (error instanceof AutohostCommandError) throw new FailWith<'autohost/sendMessage'>('invalid_request', error.message);
      throw error;
    }
    // The interface doubles a leading `/` so the engine says it instead of running it.
    await this.deliver(battle, (iface) => iface.sendChat(data.message));
  }

  /**
   * This autohost cannot download or unpack engines: it looks at the configured engine directories again (an engine
   * put there by hand is then offered) and answers success only if the engine is there, `failed` otherwise.
   */
  async installEngine(data: RequestData<'autohost/installEngine'>): Promise<void> {
    if (!this.registry?.find(data.version)) {
      this.rescan ??= EngineRegistry.discover(this.options.engines ?? {})
        .then((registry) => {
          this.registry = registry;
          this.session.sendStatus();
        })
        .catch((error: unknown) => this.logger.error(`looking for engines failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          this.rescan = null;
        });
      await this.rescan;
    }
    if (this.registry?.find(data.version)?.binaries.dedicated !== undefined) return;
    throw new FailWith<'autohost/installEngine'>(
      'command_unimplemented',
      `this autohost cannot install engines: put engine ${quoteForMessage(data.version)} (with spring-dedicated) into one of its engine directories`,
    );
  }

  // ---- starting an engine ----

  private findEngine(version: string): InstalledEngine {
    const engine = this.registry?.find(version);
    if (!engine || engine.binaries.dedicated === undefined) {
      const installed = this.status.availableEngines;
      throw new FailWith<'autohost/start'>(
        'engine_version_not_available',
        `engine ${quoteForMessage(version)} is not installed here (${installed.length > 0 ? `available: ${installed.join(', ')}` : 'no engine is installed'})`,
      );
    }
    return engine;
  }

  private hostScript(data: AutohostStartRequestData, hostPort: number, autohostPort: number): string {
    try {
      return buildHostScript(data, { hostIp: this.options.bindIp ?? this.options.hostIp ?? '127.0.0.1', hostPort, autohostIp: '127.0.0.1', autohostPort });
    } catch (error) {
      if (error instanceof StartScriptError) throw new FailWith<'autohost/start'>('invalid_request', error.message);
      throw error;
    }
  }

  private battlesBase(): string {
    return path.resolve(this.options.battlesDir ?? os.tmpdir());
  }

  /** A crashed lobby leaves battle directories with passwords in their scripts: gone before the first battle. */
  private async sweepLeftovers(): Promise<void> {
    try {
      // In the shared temp dir only directories marked as a battle's; in our own battlesDir every leftover one.
      const swept = await sweepLeftoverBattleDirs(this.battlesBase(), { markedOnly: this.options.battlesDir === undefined });
      if (swept.length > 0) this.logger.info(`deleted ${swept.length} battle ${swept.length === 1 ? 'directory' : 'directories'} left by an earlier run`);
    } catch (error) {
      this.logger.warn(`could not sweep old battle directories: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Directory, autohost socket, port, script and settings, then the engine; resolves with the port after SERVER_STARTED. */
  private async launch(battle: Battle, data: AutohostStartRequestData, engine: InstalledEngine): Promise<number> {
    (battle as { dir: string }).dir = await createBattleDir(this.battlesBase());
    // The listener must exist before the engine's first packet, or the engine gives up on it for the whole game.
    battle.iface = await AutohostInterface.open({ host: '127.0.0.1' });
    battle.iface.onEvent((event) => this.onEnginePacket(battle, event));
    const port = await this.freeHostPort();
    battle.port = port;
    const scriptPath = path.join(battle.dir, 'script.txt');
    await writeFile(scriptPath, this.hostScript(data, port, battle.iface.port), { mode: 0o600 });
    await writeFile(path.join(battle.dir, 'springsettings.cfg'), springSettings(this.options), { mode: 0o600 });
    if (this.closing || battle.killRequested) throw new Error('the battle was stopped while starting');

    const contentDirs = this.options.contentDirs.map((d) => path.resolve(d));
    const args = contentDirs[0] !== undefined ? ['--isolation-dir', contentDirs[0], scriptPath] : [scriptPath];
    const started = new Promise<void>((resolve, reject) => {
      battle.onStarted = resolve;
      battle.onGone = (why) => reject(new Error(why));
      battle.timers.push(setTimeout(() => reject(new Error(`spring-dedicated sent no first packet within ${this.options.startTimeoutMs ?? 10_000} ms`)), this.options.startTimeoutMs ?? 10_000));
    });
    const spawnedAt = performance.now();
    const child = spawn(engine.binaries.dedicated!, args, {
      cwd: battle.dir,
      // No --write-dir on engine 106's server: SPRING_WRITEDIR, and SPRING_DATADIR is required with --isolation-dir (engine-brief).
      env: {
        ...hostEnvironment(),
        HOME: battle.dir, LANG: 'C', SPRING_WRITEDIR: battle.dir, SPRING_DATADIR: springDataDirValue([...contentDirs.slice(1), engine.dataDir]),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.engines.add(child);
    battle.child = child;
    battle.pid = child.pid ?? null;
    // From now on, and only from this process's socket, is a first packet the engine's.
    if (child.pid !== undefined) battle.iface.expectEngine(child.pid);
    this.watchProcess(battle, child);
    await started;
    battle.firstPacketMs = Math.round(performance.now() - spawnedAt);
    for (const timer of battle.timers.splice(0)) clearTimeout(timer);
    battle.onStarted = null;
    battle.onGone = null;
    return port;
  }

  /** A UDP port no battle of ours uses, picked by the OS (the engine's game traffic is UDP). */
  private freeHostPort(): Promise<number> {
    const taken = new Set([...this.battles.values()].filter((b) => !b.released && b.port !== null).map((b) => b.port!));
    return pickHostPort(this.options.bindIp ?? '127.0.0.1', taken);
  }

  private watchProcess(battle: Battle, child: ChildProcess): void {
    const keepLine = (line: string) => {
      if (line.trim().length === 0) return;
      battle.outputTail.push(line.slice(0, 300));
      if (battle.outputTail.length > OUTPUT_LINES_KEPT) battle.outputTail.shift();
    };
    followLines(child.stdout, keepLine);
    followLines(child.stderr, keepLine);
    child.once('error', (error) => {
      // Spawn failures (no binary, no permission) come only here; after a spawn, 'close' follows anyway.
      if (child.pid === undefined) this.processGone(battle, `spring-dedicated could not be started: ${error.message}`, false);
    });
    // 'close' comes after stdio has drained, so the engine's last words are in the tail when the exit is reported.
    child.once('close', (code, signal) => {
      // An exit we asked for (kill request, shutdown) is a quit, whatever signal it took; otherwise only exit code 0 is.
      const clean = code === 0 || battle.killRequested;
      const how = code !== null ? `exited with code ${code}` : `was killed by ${signal}`;
      this.processGone(battle, `spring-dedicated ${how}${this.lastLine(battle)}`, clean);
    });
  }

  private processGone(battle: Battle, why: string, clean: boolean): void {
    if (battle.released) return;
    battle.child = null;
    for (const timer of battle.timers.splice(0)) clearTimeout(timer);
    if (battle.onGone) {
      battle.onGone(why);
    } else if (battle.answered && !battle.terminal) {
      this.pushUpdate(battle, clean ? { type: 'engine_quit' } : { type: 'engine_crash', details: why.slice(0, 200) });
      if (!clean) this.logger.warn(`battle ${battle.key}: ${why}`);
    }
    battle.onGone = null;
    battle.onStarted = null;
    void this.release(battle);
  }

  /** Closes the battle's socket and deletes its directory (script with passwords, settings, demos, logs). */
  private async release(battle: Battle): Promise<void> {
    if (battle.released) return;
    battle.released = true;
    const iface = battle.iface;
    battle.iface = null;
    if (iface && iface.strays > 0) this.logger.warn(`battle ${battle.key}: dropped ${iface.strays} UDP packets that did not come from its engine`);
    try {
      await iface?.close();
      if (battle.dir) await rm(battle.dir, { recursive: true, force: true });
    } catch (error) {
      this.logger.warn(`battle ${battle.key}: cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    battle.cleanedUp = true;
    this.session.sendStatus();
    battle.markGone();
  }

  /** Ends the process with a signal (SIGTERM falls back to SIGKILL). Without a process yet, a launch in progress stops before spawning. */
  private terminate(battle: Battle, signal: 'SIGTERM' | 'SIGKILL'): void {
    battle.killRequested = true;
    const child = battle.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    if (signal === 'SIGTERM') {
      const fallback = setTimeout(() => {
        if (battle.child === child) child.kill('SIGKILL');
      }, this.options.stopGraceMs ?? 10_000);
      battle.timers.push(fallback);
    }
  }

  // ---- engine packets → updates ----

  private onEnginePacket(battle: Battle, event: AutohostEvent): void {
    if (event.type === 'started') {
      battle.onStarted?.();
      return;
    }
    if (battle.terminal) return;
    const update = toUpdate(battle, event, (player) => this.logger.debug(`battle ${battle.key}: a packet names player ${player}, who is not in the battle`));
    if (update) this.pushUpdate(battle, update);
  }

  private pushUpdate(battle: Battle, update: BattleUpdate): void {
    if (battle.terminal) return;
    if (update.type === 'engine_quit' || update.type === 'engine_crash') battle.terminal = true;
    const entry = this.updates.push(battle.wireId, update);
    battle.state = applyBattleUpdate(battle.state, entry);
    for (const listener of this.updateListeners) listener(entry);
    this.changed(battle);
    this.session.publish(entry);
  }

  private changed(battle: Battle): void {
    for (const listener of this.battleListeners) {
      try {
        listener(battle.state);
      } catch (error) {
        this.logger.error(`battle listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  // ---- commands to the engine ----

  private lookup(battleId: string, allowEnded = false): Battle {
    const battle = this.battles.get(keyOf(battleId) ?? '');
    if (!battle || !battle.answered) throw new FailWith('invalid_request', 'battle not found');
    if (!allowEnded && (battle.terminal || battle.released)) throw new FailWith('invalid_request', 'the battle has ended');
    return battle;
  }

  private nameOf(battle: Battle, userId: string): string {
    const player = battle.playerByUser.get(userId);
    if (!player) throw new FailWith('invalid_request', 'player not in battle');
    return player.name;
  }

  /** `/command args` under recoil-autohost's rules (refused ones are invalid_request), sent from the battle's socket. */
  private async sendToEngine(battle: Battle, command: string, args: readonly string[]): Promise<void> {
    try {
      encodeCommand(command, args);
    } catch (error) {
      // encodeCommand's messages name the rule and the argument's position, never its value (it may be a password).
      if (error instanceof AutohostCommandError) throw new FailWith('invalid_request', error.message);
      throw error;
    }
    await this.deliver(battle, (iface) => iface.sendCommand(command, args));
  }

  private async deliver(battle: Battle, send: (iface: AutohostInterface) => Promise<void>): Promise<void> {
    const iface = battle.iface;
    if (!iface) throw new FailWith('invalid_request', 'the battle has ended');
    try {
      await send(iface);
    } catch (error) {
      throw new FailWith('internal_error', `the command did not reach the engine: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private lastLine(battle: Battle): string {
    const line = battle.outputTail.at(-1);
    return line ? `; last output: ${redactBattleText(battle, line).slice(0, 160)}` : '';
  }

}

/** The battle's key: its normalised UUID, or undefined for anything else. */
function keyOf(battleId: string): string | undefined {
  try {
    return normaliseBattleId(battleId);
  } catch {
    return undefined;
  }
}



/** What a headless server needs of this process's environment: the same allow-list as the player's engine, less the display. */
function hostEnvironment(): Record<string, string> {
  const env: Record<string, string> = { PATH: '/usr/bin:/bin' };
  for (const name of defaultPassEnv()) {
    if (/DISPLAY|XAUTHORITY|PULSE/.test(name)) continue;
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
