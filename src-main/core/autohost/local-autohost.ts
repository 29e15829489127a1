// The local autohost: the autohost actor of the Tachyon protocol over spring-dedicated and its UDP autohost interface, one directory per battle.
import os from 'node:os';
import path from 'node:path';
import type { AutohostStartRequestData, AutohostStatusEventData, AutohostUpdateEventData } from 'tachyon-protocol/types';
import { TachyonConnection, type ConnectionStatus } from '../connection/tachyon-connection';
import type { Logger } from '../log';
import { silentLogger } from '../log';
import { FailWith } from '../protocol/endpoint';
import type { RequestData } from '../protocol/commands';
import {
  AutohostCommandError,
  ContentScanCache,
  EngineRegistry,
  encodeChat,
  killEnginesOf,
  matchContent,
  normaliseBattleId,
  quoteForMessage,
  type AutohostEvent,
  type InstalledEngine,
} from '../engine';
import type { LocalAutohostOptions } from './autohost-options';
import { ClientCredentials } from './client-credentials';
import { sweepLeftoverBattleDirs } from './battle-dirs';
import { battleLuamsgFilter, checkRoster, hostScriptFor } from './battle-setup';
import { pickHostPort } from './host-port';
import { applyBattleUpdate, initialBattleState, type HostedBattleState } from './battle-state';
import { UpdateBuffer, type BattleUpdate } from './update-buffer';
import { HostedBattle, type BattleHost } from './hosted-battle';
import { AutohostSession, type AutohostService } from './autohost-session';
import { toUpdate } from './engine-updates';

export type { LocalAutohostOptions };

type StartAnswer = { ips: string[]; port: number };

const ENDED_BATTLES_KEPT = 20;
/** How many ports `firstHostPort` counts through before it wraps (recoil-autohost's `maxPortsUsed`). */
const COUNTED_PORTS = 1000;

export class LocalAutohost implements AutohostService {
  private registry: EngineRegistry | null;
  private readonly battles = new Map<string, HostedBattle>();
  private readonly battleHost: BattleHost;
  private readonly updates: UpdateBuffer;
  private readonly connection: TachyonConnection;
  private readonly credentials: ClientCredentials | null;
  private readonly session: AutohostSession;
  private readonly logger: Logger;
  private readonly now: () => number;
  private rescan: Promise<void> | null = null;
  /** The content check of autohost/start, scanned again only when a content dir changed. */
  private readonly content: ContentScanCache;
  private closing = false;
  /** The last `firstHostPort` offset handed out. */
  private portOffset = 0;
  private readonly updateListeners = new Set<(update: AutohostUpdateEventData) => void>();

  constructor(private readonly options: LocalAutohostOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.registry = options.registry ?? null;
    this.content = new ContentScanCache(options.archiveReaders ? { readers: options.archiveReaders } : {});
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
    this.battleHost = {
      battlesBase: this.battlesBase(),
      replaysDir: options.replaysDir === undefined ? undefined : path.resolve(options.replaysDir),
      contentDirs: options.contentDirs,
      startTimeoutMs: options.startTimeoutMs ?? 10_000,
      stopGraceMs: options.stopGraceMs ?? 10_000,
      settings: options,
      engineOwner: this,
      logger: this.logger,
      closing: () => this.closing,
      freeHostPort: () => this.freeHostPort(),
      onEvent: (battle, event) => this.onEnginePacket(battle, event),
      onProcessGone: (battle, why, clean) => {
        if (battle.phase !== 'running') return;
        this.pushUpdate(battle, clean ? { type: 'engine_quit' } : { type: 'engine_crash', details: why.slice(0, 200) });
        if (!clean) this.logger.warn(`battle ${battle.key}: ${why}`);
      },
      onReleased: () => this.session.sendStatus(),
    };
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
    // The content check of the first autohost/start finds the scan done.
    if (this.options.checkContent ?? true) {
      for (const engine of this.registry.engines.filter((e) => e.binaries.dedicated !== undefined).slice(0, 4)) {
        this.content.archives([...this.options.contentDirs, engine.dataDir]).catch(() => undefined);
      }
    }
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
    const currentBattles = [...this.battles.values()].filter((b) => b.phase !== 'released').length;
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
    return battle?.pid ?? undefined;
  }

  /** Kills every engine it started, closes its sockets and the connection, and deletes the battle directories. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.session.close();
    const live = [...this.battles.values()].filter((b) => !b.isReleasing);
    for (const battle of live) battle.terminate('SIGTERM');
    // Every battle's clean-up, also of those already released whose directory is still being deleted.
    await Promise.all([...this.battles.values()].map((b) => b.gone));
    // Whatever still runs (nothing, unless a battle lost track of its process) does not outlive close().
    killEnginesOf(this, 'SIGKILL');
    await this.connection.close('autohost shutting down');
  }

  // ---- the autohost service; each throws FailWith to answer `failed` ----

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
    const luamsg = battleLuamsgFilter(data);
    // Hostile or malformed start data is refused here, before any directory, socket or process exists.
    this.hostScript(data, 1, 1);
    if (this.options.checkContent ?? true) {
      const content = matchContent(await this.content.archives([...this.options.contentDirs, engine.dataDir]), data.gameName, data.mapName);
      if (!content.ok) throw new FailWith<'autohost/start'>('internal_error', content.message ?? 'the game or map is not installed');
    }
    // Another start may have arrived during the content check.
    if (this.battles.get(key) && !this.battles.get(key)!.state.end) {
      throw new FailWith<'autohost/start'>('battle_already_exists', `battle ${key} is already hosted here`);
    }
    this.checkRoom();

    const state = initialBattleState({
      battleId: key,
      engineVersion: engine.version,
      gameName: data.gameName,
      mapName: data.mapName,
      requestedAt,
      players: roster.map((p) => ({ userId: p.userId, name: p.name, spectator: p.spectator })),
    });
    const battle = new HostedBattle(key, data.battleId, luamsg, roster, state, this.battleHost);
    // Reserved before the first await that creates anything, so capacity and duplicates are checked against it.
    this.battles.delete(key);
    this.battles.set(key, battle);
    this.forgetOldBattles();
    this.session.sendStatus();
    try {
      const port = await battle.launch(engine, (hostPort, autohostPort) => this.hostScript(data, hostPort, autohostPort));
      battle.state = { ...battle.state, port };
      this.logger.info(`battle ${key} is up on port ${port} (${Math.round(performance.now() - startedAt)} ms after the start request, the engine's first packet ${battle.firstPacketMs} ms after its spawn)`);
      return { ips: [this.options.hostIp ?? '127.0.0.1'], port };
    } catch (error) {
      const details = error instanceof Error ? error.message : String(error);
      this.logger.warn(`battle ${key} could not start: ${details}`);
      await battle.abandon(details);
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
    const ended = [...this.battles.values()].filter((b) => b.isReleasing && b.state.end !== null);
    for (const battle of ended.slice(0, Math.max(0, ended.length - ENDED_BATTLES_KEPT))) this.battles.delete(battle.key);
  }

  async killBattle(data: RequestData<'autohost/kill'>): Promise<void> {
    const battle = this.lookup(data.battleId, true);
    if (battle.isReleasing || battle.stopRequested) return;
    this.logger.info(`killing battle ${battle.key}`);
    await battle.kill(this.options.killGraceMs ?? 3_000);
  }

  async addPlayer(data: RequestData<'autohost/addPlayer'>): Promise<void> {
    const battle = this.lookup(data.battleId);
    await battle.addPlayer(data);
  }

  async kickPlayer(data: RequestData<'autohost/kickPlayer'>): Promise<void> {
    const battle = this.lookup(data.battleId);
    await battle.sendCommand('kick', [battle.nameOf(data.userId)]);
  }

  async mutePlayer(data: RequestData<'autohost/mutePlayer'>): Promise<void> {
    const battle = this.lookup(data.battleId);
    await battle.sendCommand('mute', [battle.nameOf(data.userId), data.chat ? '1' : '0', data.draw ? '1' : '0']);
  }

  async specPlayers(data: RequestData<'autohost/specPlayers'>): Promise<void> {
    const battle = this.lookup(data.battleId);
    // Every name is checked before the first command, so a bad id changes nothing.
    const names = data.userIds.map((userId) => battle.nameOf(userId));
    for (const name of names) await battle.sendCommand('spec', [name]);
  }

  async sendCommand(data: RequestData<'autohost/sendCommand'>): Promise<void> {
    const battle = this.lookup(data.battleId);
    await battle.sendCommand(data.command, data.arguments ?? []);
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
    await battle.sendChat(data.message);
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
    return hostScriptFor(data, { hostIp: this.options.bindIp ?? this.options.hostIp ?? '127.0.0.1', hostPort, autohostIp: '127.0.0.1', autohostPort, absentHash: this.options.absentHash });
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

  /** A UDP port no battle of ours uses, picked by the OS (the engine's game traffic is UDP). */
  private freeHostPort(): Promise<number> {
    const taken = new Set([...this.battles.values()].filter((b) => !b.isReleasing && b.port !== null).map((b) => b.port!));
    const first = this.options.firstHostPort;
    if (first === undefined) return pickHostPort(this.options.bindIp ?? '127.0.0.1', taken);
    for (let tries = 0; tries < COUNTED_PORTS; tries++) {
      this.portOffset = (this.portOffset % COUNTED_PORTS) + 1;
      if (!taken.has(first + this.portOffset)) return Promise.resolve(first + this.portOffset);
    }
    return Promise.reject(new Error('no free counted host port for the battle'));
  }

  // ---- engine packets → updates ----

  private onEnginePacket(battle: HostedBattle, event: AutohostEvent): void {
    if (battle.phase !== 'starting' && battle.phase !== 'running') return;
    const update = toUpdate(battle, event, (player) => this.logger.debug(`battle ${battle.key}: a packet names player ${player}, who is not in the battle`));
    if (update) this.pushUpdate(battle, update);
  }

  private pushUpdate(battle: HostedBattle, update: BattleUpdate): void {
    if (!battle.record(update)) return;
    const entry = this.updates.push(battle.wireId, update);
    battle.state = applyBattleUpdate(battle.state, entry);
    for (const listener of this.updateListeners) listener(entry);
    this.session.publish(entry);
  }

  // ---- commands to the engine ----

  private lookup(battleId: string, allowEnded = false): HostedBattle {
    const battle = this.battles.get(keyOf(battleId) ?? '');
    // Not answered yet (still starting, or a start that failed): the server has no such battle.
    if (!battle || battle.state.port === null) throw new FailWith('invalid_request', 'battle not found');
    if (!allowEnded && battle.phase !== 'running') throw new FailWith('invalid_request', 'the battle has ended');
    return battle;
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
