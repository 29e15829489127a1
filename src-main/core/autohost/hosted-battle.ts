// One hosted battle as a state machine: its directory, UDP autohost interface, spring-dedicated process and timers, from launch to release.
import type { ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AutohostCommandError, AutohostInterface, encodeCommand, keepDemos, engineEnvironment, spawnEngine, stopEngine, unsafeTextReason, defaultPassEnv, engineDataDirs, springDataDirValue, type AutohostEvent, type InstalledEngine } from '../engine';
import type { Logger } from '../log';
import { FailWith } from '../protocol/endpoint';
import type { RequestData } from '../protocol/commands';
import { createBattleDir } from './battle-dirs';
import { springSettings, type RosterEntry } from './battle-setup';
import { withPlayerAdded, type HostedBattleState } from './battle-state';
import { redactBattleText } from './engine-updates';
import type { LuamsgFilter } from './luamsg-filter';
import type { BattleUpdate } from './update-buffer';

/**
 * starting (launching, `start` not yet answered) → running (answered) → ended (engine_quit or engine_crash sent; the
 * process may still run) → releasing (the process is gone: socket closing, directory being deleted) → released.
 * A start that fails goes from starting to releasing. Only released battles stop counting against maxBattles.
 */
export type HostedBattlePhase = 'starting' | 'running' | 'ended' | 'releasing' | 'released';

/** What a battle needs of the autohost that hosts it. */
export interface BattleHost {
  readonly battlesBase: string;
  /** Where spring-dedicated's demos (`demos-server/`) are moved when the battle ends; without it they go with the directory. */
  readonly replaysDir: string | undefined;
  readonly contentDirs: readonly string[];
  readonly startTimeoutMs: number;
  readonly stopGraceMs: number;
  readonly settings: Parameters<typeof springSettings>[0];
  /** Its engines are spawned under this owner, so the autohost can kill only its own. */
  readonly engineOwner: object;
  readonly logger: Logger;
  readonly closing: () => boolean;
  freeHostPort(): Promise<number>;
  /** A packet the battle turned into an event for the autohost (updates are made there). */
  onEvent(battle: HostedBattle, event: AutohostEvent): void;
  /** The process is gone: `clean` when it quit or we asked it to. */
  onProcessGone(battle: HostedBattle, why: string, clean: boolean): void;
  onReleased(battle: HostedBattle): void;
}

const OUTPUT_LINES_KEPT = 30;

export class HostedBattle {
  private phaseValue: HostedBattlePhase = 'starting';
  /** A kill, a failed start or the autohost's close asked the engine to end: its exit is then a quit, whatever the signal. */
  stopRequested = false;
  readonly userByNumber: Map<number, string>;
  readonly playerByUser: Map<string, { name: string; playerNumber: number }>;
  readonly passwords: Set<string>;
  readonly gameOverReporters = new Set<number>();
  iface: AutohostInterface | null = null;
  port: number | null = null;
  /** spawn → SERVER_STARTED, for the log. */
  firstPacketMs: number | null = null;
  readonly gone: Promise<void>;
  private dir = '';
  private child: ChildProcess | null = null;
  private pidValue: number | null = null;
  private readonly outputTail: string[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private markGone: () => void = () => {};
  /** Rejects the launch when the process goes before its first packet. */
  private exited: (why: string) => void = () => {};

  constructor(
    readonly key: string,
    /** The battleId exactly as the server sent it: updates carry it back unchanged. */
    readonly wireId: string,
    readonly luamsg: LuamsgFilter | null,
    roster: readonly RosterEntry[],
    public state: HostedBattleState,
    private readonly host: BattleHost,
  ) {
    this.userByNumber = new Map(roster.map((p, n) => [n, p.userId]));
    this.playerByUser = new Map(roster.map((p, n) => [p.userId, { name: p.name, playerNumber: n }]));
    this.passwords = new Set(roster.map((p) => p.password));
    this.gone = new Promise<void>((resolve) => (this.markGone = resolve));
  }

  /** Changed only by the battle itself: launch, record, release. */
  get phase(): HostedBattlePhase {
    return this.phaseValue;
  }

  /** The process is gone and the battle's resources are being (or have been) released. */
  get isReleasing(): boolean {
    return this.phase === 'releasing' || this.phase === 'released';
  }

  /** The spring-dedicated process id while it runs. */
  get pid(): number | null {
    return this.isReleasing ? null : this.pidValue;
  }

  /** Whether an update may still be sent, and the phase it leaves: nothing after engine_quit or engine_crash. */
  record(update: BattleUpdate): boolean {
    if (this.phase !== 'starting' && this.phase !== 'running') return false;
    if (update.type === 'engine_quit' || update.type === 'engine_crash') this.phaseValue = 'ended';
    return true;
  }

  /** Directory, autohost socket, port, script and settings, then the engine; resolves with the port after SERVER_STARTED. */
  async launch(engine: InstalledEngine, hostScript: (hostPort: number, autohostPort: number) => string): Promise<number> {
    const host = this.host;
    this.dir = await createBattleDir(host.battlesBase);
    // The listener must exist before the engine's first packet, or the engine gives up on it for the whole game.
    const iface = await AutohostInterface.open({ host: '127.0.0.1' });
    this.iface = iface;
    let firstPacket: () => void = () => {};
    const started = new Promise<void>((resolve, reject) => {
      firstPacket = resolve;
      this.exited = (why) => reject(new Error(why));
      this.timers.push(setTimeout(() => reject(new Error(`spring-dedicated sent no first packet within ${host.startTimeoutMs} ms`)), host.startTimeoutMs));
    });
    iface.onEvent((event) => (event.type === 'started' ? firstPacket() : host.onEvent(this, event)));
    const port = await host.freeHostPort();
    this.port = port;
    const scriptPath = path.join(this.dir, 'script.txt');
    await writeFile(scriptPath, hostScript(port, iface.port), { mode: 0o600 });
    await writeFile(path.join(this.dir, 'springsettings.cfg'), springSettings(host.settings), { mode: 0o600 });
    if (host.closing() || this.stopRequested) throw new Error('the battle was stopped while starting');

    const contentDirs = host.contentDirs.map((d) => path.resolve(d));
    const args = contentDirs[0] !== undefined ? ['--isolation-dir', contentDirs[0], scriptPath] : [scriptPath];
    const spawnedAt = performance.now();
    const child = spawnEngine({
      binary: engine.binaries.dedicated!,
      args,
      cwd: this.dir,
      // No --write-dir on engine 106's server: SPRING_WRITEDIR, and SPRING_DATADIR is required with --isolation-dir.
      env: engineEnvironment(HOST_PASS_ENV, {
        HOME: this.dir, LANG: 'C', SPRING_WRITEDIR: this.dir, SPRING_DATADIR: springDataDirValue([...contentDirs.slice(1), ...engineDataDirs(engine)]),
      }),
      onLine: (_stream, line) => this.keepLine(line),
      owner: host.engineOwner,
    });
    this.child = child;
    this.pidValue = child.pid ?? null;
    // From now on, and only from this process's socket, is a first packet the engine's.
    if (child.pid !== undefined) iface.expectEngine(child.pid);
    this.watchProcess(child);
    try {
      await started;
    } finally {
      this.exited = () => {};
      this.clearTimers();
    }
    this.firstPacketMs = Math.round(performance.now() - spawnedAt);
    if (this.phase === 'starting') this.phaseValue = 'running';
    return port;
  }

  /** After a failed launch: ends the process if there is one, else releases at once; resolves when all is gone. */
  async abandon(why: string): Promise<void> {
    if (this.child) this.terminate('SIGKILL');
    else this.processGone(why, false);
    await this.gone;
  }

  /** Ends the process with a signal (SIGTERM falls back to SIGKILL). Without a process yet, a launch in progress stops before spawning. */
  terminate(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.stopRequested = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    if (signal === 'SIGTERM') this.timers.push(stopEngine(child, this.host.stopGraceMs));
    else child.kill(signal);
  }

  /** Asks the engine to quit (`/kill`), then SIGTERM after `graceMs` if it is still there. */
  async kill(graceMs: number): Promise<void> {
    this.stopRequested = true;
    try {
      await this.iface?.sendCommand('kill');
    } catch {
      // No command channel (the engine never spoke): the signals below still end it.
    }
    this.timers.push(setTimeout(() => this.terminate('SIGTERM'), graceMs));
  }

  /** `/adduser`: a new spectator, or a known player's new password; true when the battle gained a player. */
  async addPlayer(data: RequestData<'autohost/addPlayer'>): Promise<boolean> {
    const known = this.playerByUser.get(data.userId);
    if (known && known.name !== data.name) throw new FailWith<'autohost/addPlayer'>('invalid_request', 'this userId plays under another name');
    if (!known && [...this.playerByUser.values()].some((p) => p.name.toLowerCase() === data.name.toLowerCase())) {
      throw new FailWith<'autohost/addPlayer'>('invalid_request', 'another player of this battle has that name');
    }
    const nameProblem = unsafeTextReason(data.name, 'value') ?? (/\s/.test(data.name) || data.name.length === 0 ? 'must be non-empty without spaces' : undefined);
    if (nameProblem) throw new FailWith<'autohost/addPlayer'>('invalid_request', `name ${nameProblem}`);
    if (data.userId.length === 0) throw new FailWith<'autohost/addPlayer'>('invalid_request', 'userId must not be empty');
    // `/adduser name password 1` adds a spectator; without the `1` it sets a known player's new password.
    const args = known ? [data.name, data.password] : [data.name, data.password, '1'];
    await this.sendCommand('adduser', args);
    if (!known) {
      const playerNumber = this.userByNumber.size;
      this.userByNumber.set(playerNumber, data.userId);
      this.playerByUser.set(data.userId, { name: data.name, playerNumber });
      this.state = withPlayerAdded(this.state, { userId: data.userId, name: data.name, playerNumber });
    }
    this.passwords.add(data.password);
    return !known;
  }

  /** The engine name of a player of this battle; invalid_request for anyone else. */
  nameOf(userId: string): string {
    const player = this.playerByUser.get(userId);
    if (!player) throw new FailWith('invalid_request', 'player not in battle');
    return player.name;
  }

  /** `/command args` under recoil-autohost's rules (refused ones are invalid_request), sent from the battle's socket. */
  async sendCommand(command: string, args: readonly string[]): Promise<void> {
    try {
      encodeCommand(command, args);
    } catch (error) {
      // encodeCommand's messages name the rule and the argument's position, never its value (it may be a password).
      if (error instanceof AutohostCommandError) throw new FailWith('invalid_request', error.message);
      throw error;
    }
    await this.deliver((iface) => iface.sendCommand(command, args));
  }

  /** Chat as the host; the interface doubles a leading `/` so the engine says it instead of running it. */
  async sendChat(message: string): Promise<void> {
    await this.deliver((iface) => iface.sendChat(message));
  }

  private async deliver(send: (iface: AutohostInterface) => Promise<void>): Promise<void> {
    const iface = this.iface;
    if (!iface) throw new FailWith('invalid_request', 'the battle has ended');
    try {
      await send(iface);
    } catch (error) {
      throw new FailWith('internal_error', `the command did not reach the engine: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** `; last output: …` (redacted) for a crash detail, or nothing. */
  lastLine(): string {
    const line = this.outputTail.at(-1);
    return line ? `; last output: ${redactBattleText(this, line).slice(0, 160)}` : '';
  }

  private keepLine(line: string): void {
    if (line.trim().length === 0) return;
    this.outputTail.push(line.slice(0, 300));
    if (this.outputTail.length > OUTPUT_LINES_KEPT) this.outputTail.shift();
  }

  private watchProcess(child: ChildProcess): void {
    child.once('error', (error) => {
      // Spawn failures (no binary, no permission) come only here; after a spawn, 'close' follows anyway.
      if (child.pid === undefined) this.processGone(`spring-dedicated could not be started: ${error.message}`, false);
    });
    // 'close' comes after stdio has drained, so the engine's last words are in the tail when the exit is reported.
    child.once('close', (code, signal) => {
      // An exit we asked for (kill request, shutdown) is a quit, whatever signal it took; otherwise only exit code 0 is.
      const clean = code === 0 || this.stopRequested;
      const how = code !== null ? `exited with code ${code}` : `was killed by ${signal}`;
      this.processGone(`spring-dedicated ${how}${this.lastLine()}`, clean);
    });
  }

  private processGone(why: string, clean: boolean): void {
    if (this.isReleasing) return;
    this.child = null;
    this.clearTimers();
    // During the launch its wait for the first packet fails with `why`; after it, the autohost sends the update.
    const launching = this.phase === 'starting' && this.firstPacketMs === null;
    this.exited(why);
    if (!launching) this.host.onProcessGone(this, why, clean);
    void this.release();
  }

  /** Closes the battle's socket and deletes its directory (script with passwords, settings, demos, logs). */
  private async release(): Promise<void> {
    this.phaseValue = 'releasing';
    const iface = this.iface;
    this.iface = null;
    if (iface && iface.strays > 0) this.host.logger.warn(`battle ${this.key}: dropped ${iface.strays} UDP packets that did not come from its engine`);
    try {
      await iface?.close();
      // The process is gone, so its demo is written to the end: keep it before the directory goes.
      if (this.dir && this.host.replaysDir !== undefined) await this.keepDemos(this.host.replaysDir);
      if (this.dir) await rm(this.dir, { recursive: true, force: true });
    } catch (error) {
      this.host.logger.warn(`battle ${this.key}: cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.phaseValue = 'released';
    this.host.onReleased(this);
    this.markGone();
  }

  private async keepDemos(replaysDir: string): Promise<void> {
    const { kept, skipped } = await keepDemos(this.dir, replaysDir);
    for (const demo of kept) this.host.logger.info(`battle ${this.key}: kept the host demo as ${demo.file} (${demo.bytes} bytes)`);
    for (const demo of skipped) this.host.logger.warn(`battle ${this.key}: a demo was not kept (${demo.why})`);
  }

  private clearTimers(): void {
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
  }
}

/** What a headless server needs of this process's environment: the same allow-list as the player's engine, less the display. */
const HOST_PASS_ENV = defaultPassEnv().filter((name) => !/DISPLAY|XAUTHORITY|PULSE/.test(name));
