// The autohosts connected to the embedded server: their status, their update streams (resumed with `since`), and hosting matches on them.
import type { AllyTeam, AutohostStartRequestData, AutohostStatusEventData, AutohostUpdateEventData } from 'tachyon-protocol/types';
import { isIP } from 'node:net';
import { RequestFailedError, type TachyonEndpoint } from '../protocol/endpoint';
import type { Logger } from '../log';
import { withTimeout } from '../../shared/with-timeout';
import { GENERIC_START_FAILURE, LaunchFailure, type BattleLauncher, type MatchToLaunch } from './match';
import type { AutohostConnection } from './session';

interface AutohostRecord {
  connection: AutohostConnection | null;
  status: AutohostStatusEventData | null;
  /** The newest update `time` stored; the resume point of the next subscription. */
  lastTime: number;
  /** Battles the server gave up on while this autohost was away: killed when it comes back. */
  readonly toKill: Set<string>;
}

interface HostedBattle {
  readonly clientId: string;
  /** The connection it was started on: after a reconnect, battles of an earlier one may be gone with a restarted process. */
  readonly connection: AutohostConnection;
  /** The autohost answered its autohost/start: it counts in `currentBattles` from then on. */
  started: boolean;
  /** When the server last heard of it (its start, or its newest update). */
  lastHeard: number;
  /** Until the game starts: when it has not by then, the server gives up on it. */
  preGame: NodeJS.Timeout | null;
}

const START_TIMEOUT_MS = 5_000; // Teiserver's autohost/start call timeout
/** After a partial resubscription mismatch, how long the replayed updates get to say which battles ended while away. */
const REPLAY_SETTLE_MS = 1_000;

/** What players read when the server ends their battle itself (after `matchmaking/cancelled`'s fixed words). */
export const RESTARTED_TEXT = 'The autohost hosting your battle restarted and lost it; you are back in the menu.';
export const GONE_TEXT = 'The autohost hosting your battle went away and did not come back; you are back in the menu.';
export const NOT_STARTED_TEXT = 'The battle did not start in time; you are back in the menu.';
export const CRASHED_TEXT = 'The battle\'s engine stopped unexpectedly; you are back in the menu.';

export class AutohostFleet implements BattleLauncher {
  private readonly autohosts = new Map<string, AutohostRecord>();
  private readonly battles = new Map<string, HostedBattle>();
  private readonly endedListeners = new Set<(battleId: string, playerText?: string) => void>();
  private readonly updateListeners = new Set<(update: AutohostUpdateEventData) => void>();
  private readonly goneTimers = new Map<string, NodeJS.Timeout>();
  private readonly settleTimers = new Set<NodeJS.Timeout>();
  private readonly settleSoon = new Set<NodeJS.Immediate>();

  /**
   * @param reconnectGraceMs how long an autohost may be away before its battles count as over (it may come back and
   *   resubscribe with `since`; if it does not, its players must not stay `playing` forever).
   */
  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly reconnectGraceMs = 30_000,
    /** How long a hosted battle may wait for its game to start (`start`) before the server gives up on it. */
    private readonly preGameTimeoutMs = 5 * 60_000,
    /** A matchmade battle's `startDelay` (see `startRequest`). */
    private readonly matchStartDelaySeconds = DEFAULT_MATCH_START_DELAY_S,
  ) {}

  /** A battle is over: by the autohost's word (no text), or because the server ended it (`playerText` says why). */
  onBattleEnded(listener: (battleId: string, playerText?: string) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  onUpdate(listener: (update: AutohostUpdateEventData) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  statusOf(clientId: string): AutohostStatusEventData | null {
    return this.autohosts.get(clientId)?.status ?? null;
  }

  get connectedCount(): number {
    return [...this.autohosts.values()].filter((a) => a.connection !== null).length;
  }

  /** The battles the server believes an autohost hosts. */
  battlesOf(clientId: string): string[] {
    return [...this.battles].filter(([, b]) => b.clientId === clientId).map(([id]) => id);
  }

  attach(connection: AutohostConnection): void {
    const record = this.autohosts.get(connection.clientId) ?? { connection: null, status: null, lastTime: this.now() * 1000, toKill: new Set<string>() };
    const gone = this.goneTimers.get(connection.clientId);
    if (gone) clearTimeout(gone);
    this.goneTimers.delete(connection.clientId);
    record.connection = connection;
    record.status = null;
    this.autohosts.set(connection.clientId, record);
    let checkOnStatus = false;
    const check = (settled: boolean) => {
      if (record.connection !== connection) return;
      // No count yet (it should have come first): the first status decides.
      if (record.status === null) checkOnStatus = true;
      else this.checkCarried(connection, record, settled);
    };
    connection.endpoint.onEvent((event) => {
      if (event.commandId === 'autohost/status') {
        record.status = { maxBattles: event.data.maxBattles, currentBattles: event.data.currentBattles, availableEngines: event.data.availableEngines.slice() };
        if (checkOnStatus) {
          checkOnStatus = false;
          this.checkCarried(connection, record);
        }
      } else if (event.commandId === 'autohost/update') {
        this.store(record, event.data);
      }
    });
    for (const battleId of record.toKill) this.sendKill(connection, battleId);
    record.toKill.clear();
    // Resume where we stopped: updates strictly newer than the last one we stored (Tachyon protocol docs, `autohost/subscribeUpdates`).
    // Then compare what it counts with what we believe: at once when it counts none (a restarted process; a replayed
    // `engine_quit` in the same burst still ends its battle the normal way first), after the replay settles otherwise.
    void this.subscribe(connection, record).then(() => {
      if (record.connection !== connection || this.carried(connection).length === 0) return;
      const soon = setImmediate(() => { this.settleSoon.delete(soon); check(false); });
      const later = setTimeout(() => { this.settleTimers.delete(later); check(true); }, REPLAY_SETTLE_MS);
      later.unref();
      this.settleSoon.add(soon);
      this.settleTimers.add(later);
    });
  }

  /** Battles of this autohost started on an earlier connection. */
  private carried(connection: AutohostConnection): string[] {
    return [...this.battles].filter(([, b]) => b.clientId === connection.clientId && b.connection !== connection).map(([id]) => id);
  }

  /**
   * An autohost that comes back counting fewer battles than the server believes it hosts has lost some (a restarted
   * process keeps none): those end now, or their players stay `playing` for a battle nobody will ever report. With none
   * counted, every battle of earlier connections is gone once the subscription is answered; with some, the replay first
   * gets a moment to say which ended while it was away, and then the ones heard from least recently go.
   */
  private checkCarried(connection: AutohostConnection, record: AutohostRecord, settled = false): void {
    const current = record.status?.currentBattles ?? 0;
    const carried = this.carried(connection);
    if (carried.length === 0 || (current > 0 && !settled)) return;
    const startedHere = [...this.battles.values()].filter((b) => b.connection === connection && b.started).length;
    const missing = carried.length + startedHere - current;
    if (missing <= 0) return;
    const lost = carried.sort((a, b) => (this.battles.get(a)?.lastHeard ?? 0) - (this.battles.get(b)?.lastHeard ?? 0)).slice(0, missing);
    for (const battleId of lost) {
      this.logger.warn(`autohost ${connection.clientId} came back with ${current} battles: battle ${battleId} is lost`);
      this.giveUp(battleId, RESTARTED_TEXT);
    }
  }

  /**
   * Subscribes from the last stored update. An autohost keeps about 10 minutes of updates and refuses an older `since`:
   * then resubscribe from now, accepting (and logging) the gap rather than getting no updates at all.
   */
  private async subscribe(connection: AutohostConnection, record: AutohostRecord): Promise<void> {
    try {
      await connection.endpoint.call('autohost/subscribeUpdates', { since: record.lastTime });
    } catch (error) {
      const refused = error instanceof RequestFailedError && error.reason === 'invalid_request';
      this.logger.warn(`autohost ${connection.clientId} refused the update subscription${refused ? ' from our last update: resubscribing from now' : ''}: ${error instanceof Error ? error.message : String(error)}`);
      if (!refused || record.connection !== connection) return;
      record.lastTime = Math.max(record.lastTime, this.now() * 1000);
      await connection.endpoint.call('autohost/subscribeUpdates', { since: record.lastTime }).catch((again: Error) => {
        this.logger.warn(`autohost ${connection.clientId} refused the update subscription again: ${again.message}`);
      });
    }
  }

  detach(connection: AutohostConnection): void {
    const record = this.autohosts.get(connection.clientId);
    if (record?.connection === connection) {
      record.connection = null;
      record.status = null;
      const timer = setTimeout(() => this.abandon(connection.clientId), this.reconnectGraceMs);
      timer.unref();
      this.goneTimers.set(connection.clientId, timer);
    }
  }

  /** The autohost did not come back: its battles are over for the server, and killed if it ever returns. */
  private abandon(clientId: string): void {
    this.goneTimers.delete(clientId);
    for (const battleId of this.battlesOf(clientId)) {
      this.logger.warn(`autohost ${clientId} did not come back: battle ${battleId} is over`);
      this.giveUp(battleId, GONE_TEXT);
    }
  }

  /** The server ends a battle on its own: its players are told why, and the autohost is told to kill it (now or on its return). */
  private giveUp(battleId: string, playerText: string): void {
    const battle = this.forget(battleId);
    if (!battle) return;
    const record = this.autohosts.get(battle.clientId);
    if (record?.connection) this.sendKill(record.connection, battleId);
    else record?.toKill.add(battleId);
    for (const listener of this.endedListeners) listener(battleId, playerText);
  }

  /** Drops a battle from the server's books, with its pre-game timer. */
  private forget(battleId: string): HostedBattle | undefined {
    const battle = this.battles.get(battleId);
    if (battle?.preGame) clearTimeout(battle.preGame);
    this.battles.delete(battleId);
    return battle;
  }

  private sendKill(connection: AutohostConnection, battleId: string): void {
    // A restarted autohost no longer knows the battle and refuses: that is the outcome wanted.
    connection.endpoint.call('autohost/kill', { battleId }).catch((error: Error) => {
      this.logger.info(`autohost/kill ${battleId} on ${connection.clientId}: ${error.message}`);
    });
  }

  stop(): void {
    for (const timer of [...this.goneTimers.values(), ...this.settleTimers]) clearTimeout(timer);
    for (const battle of this.battles.values()) if (battle.preGame) clearTimeout(battle.preGame);
    for (const soon of this.settleSoon) clearImmediate(soon);
    this.settleSoon.clear();
    this.goneTimers.clear();
    this.settleTimers.clear();
  }

  async launch(match: MatchToLaunch): Promise<{ ip: string; port: number }> {
    return this.host(startRequest(match, this.matchStartDelaySeconds));
  }

  /** Hosts a battle described in full (a matchmade one, or a lobby's with bots and spectators) on an autohost with its engine. */
  async host(request: AutohostStartRequestData): Promise<{ ip: string; port: number }> {
    const engine = request.engineVersion;
    const connected = [...this.autohosts.entries()].filter(([, a]) => a.connection && a.status);
    if (connected.length === 0) throw new LaunchFailure('no autohost is connected', 'No autohost is connected to host the battle.');
    const withEngine = connected.filter(([, a]) => a.status?.availableEngines.includes(engine));
    if (withEngine.length === 0) throw new LaunchFailure(`no autohost has engine ${engine}`, `No autohost has engine ${printableVersion(engine)}.`);
    const host = withEngine.find(([, a]) => a.status && a.status.currentBattles < a.status.maxBattles);
    if (!host) throw new LaunchFailure(`every autohost with engine ${engine} is full`, 'Every autohost is busy with other battles; queue again in a moment.');
    const [clientId, record] = host;
    const connection = record.connection;
    if (!connection) throw new LaunchFailure('the autohost went away', 'The autohost went away before the battle started.');
    const battle: HostedBattle = { clientId, connection, started: false, lastHeard: this.now(), preGame: null };
    this.battles.set(request.battleId, battle);
    let answer: { ips: string[]; port: number };
    try {
      answer = await withTimeout(connection.endpoint.call('autohost/start', request), START_TIMEOUT_MS, 'the autohost did not answer autohost/start in 5 s');
    } catch (error) {
      this.forget(request.battleId);
      if (error instanceof RequestFailedError) throw new LaunchFailure(error.message, startFailureText(error.reason, engine));
      // No answer: it may yet start the battle nobody will join.
      if (record.connection === connection) this.sendKill(connection, request.battleId);
      else record.toKill.add(request.battleId);
      throw new LaunchFailure(error instanceof Error ? error.message : String(error), 'The autohost did not answer in time.');
    }
    battle.started = true;
    battle.lastHeard = this.now();
    // Nobody joins, or nobody readies: recoil-autohost would keep such a battle for hours, its players `playing`.
    battle.preGame = setTimeout(() => {
      this.logger.warn(`battle ${request.battleId} did not start within ${this.preGameTimeoutMs} ms: giving up on it`);
      this.giveUp(request.battleId, NOT_STARTED_TEXT);
    }, this.preGameTimeoutMs);
    battle.preGame.unref();
    const ip = chooseAddress(answer.ips);
    if (!ip) {
      this.giveUp(request.battleId, GENERIC_START_FAILURE);
      throw new LaunchFailure('the autohost offered no usable address', 'The autohost offered no address to join.');
    }
    return { ip, port: answer.port };
  }

  /** Adds a player (as a spectator) to a running battle: `lobby/joinBattle`. */
  async addPlayer(battleId: string, player: { userId: string; name: string; password: string }): Promise<void> {
    const endpoint = this.endpointFor(battleId);
    if (!endpoint) throw new LaunchFailure(`battle ${battleId} has no connected autohost`, 'The autohost hosting the battle is not connected.');
    try {
      await withTimeout(endpoint.call('autohost/addPlayer', { battleId, ...player }), START_TIMEOUT_MS, 'the autohost did not answer autohost/addPlayer in 5 s');
    } catch (error) {
      throw new LaunchFailure(error instanceof Error ? error.message : String(error), 'The autohost could not add you to the battle.');
    }
  }

  /** Ends a battle on the autohost hosting it; the server forgets the battle either way. */
  async kill(battleId: string): Promise<void> {
    const endpoint = this.endpointFor(battleId);
    this.forget(battleId);
    if (!endpoint) throw new Error('the autohost hosting it is not connected');
    await endpoint.call('autohost/kill', { battleId });
  }

  /** Sends a request for a running battle to the autohost hosting it (kick, mute, message, kill...). */
  endpointFor(battleId: string): TachyonEndpoint | null {
    const clientId = this.battles.get(battleId)?.clientId;
    return (clientId && this.autohosts.get(clientId)?.connection?.endpoint) || null;
  }

  private store(record: AutohostRecord, update: AutohostUpdateEventData): void {
    // A replay after a resubscription may overlap what we stored: `time` is unique and increasing per autohost.
    if (update.time <= record.lastTime) return;
    record.lastTime = update.time;
    for (const listener of this.updateListeners) listener(update);
    const battle = this.battles.get(update.battleId);
    const type = update.update.type;
    if (battle) {
      battle.lastHeard = this.now();
      if (type === 'start' && battle.preGame) clearTimeout(battle.preGame);
    }
    if (type === 'engine_quit' || type === 'engine_crash') {
      if (!this.forget(update.battleId)) return;
      // A crash is news to the players; the autohost's details (paths, engine output) stay with the update.
      for (const listener of this.endedListeners) listener(update.battleId, type === 'engine_crash' ? CRASHED_TEXT : undefined);
    }
  }
}

/** An autohost's refusal of autohost/start in the players' words; its `details` may hold paths and stay in the log. */
function startFailureText(reason: string, engine: string): string {
  if (reason === 'engine_version_not_available') return `The autohost does not have engine ${printableVersion(engine)}.`;
  if (reason === 'internal_error') return 'The autohost could not start the engine.';
  return GENERIC_START_FAILURE;
}

/** A playlist's engine version as players may read it: the protocol's version characters only, and short. */
function printableVersion(version: string): string {
  return version.replace(/[^0-9a-zA-Z .+-]/g, '').slice(0, 64);
}

/**
 * A matchmade battle's countdown once everyone is in: the engine's default is 4 s, and a matchmade battle has nothing to
 * wait for. recoil-autohost writes `GameStartDelay` only for a non-zero `startDelay` (0 gets the default), so 1 is the
 * shortest it honours; our local autohost writes 0 as 0, and local play asks for that.
 */
export const DEFAULT_MATCH_START_DELAY_S = 1;

/** The battle description for a match: one ally team per side, one team per player, bots for bot sides. */
export function startRequest(match: MatchToLaunch, startDelay = DEFAULT_MATCH_START_DELAY_S): AutohostStartRequestData {
  const { playlist } = match;
  const allyTeams: AllyTeam[] = [];
  for (let side = 0; side < playlist.numOfTeams; side++) {
    const players = match.players.filter((p) => p.team === side);
    if (players.length > 0) {
      allyTeams.push({ teams: players.map((p) => ({ players: [{ userId: p.userId, name: p.name, password: p.password }] })) });
    } else {
      const host = match.players[0];
      if (!host) throw new Error('a match needs at least one player');
      allyTeams.push({ teams: Array.from({ length: playlist.teamSize }, (_, i) => ({ bots: [{ hostUserId: host.userId, aiShortName: playlist.botAi ?? 'NullAI', name: `Bot${side}${i}` }] })) });
    }
  }
  // `beforegame`: spring-dedicated starts with any autohost's script. With `fixed` or `random` it reads the map's start
  // positions, which it cannot when the script carries archive hashes (recoil-autohost writes `ModHash = 1`): exit 21.
  // `ingame` (Teiserver's choice) waits for every player to place and ready, which needs a forcestart for headless players.
  return { battleId: match.battleId, engineVersion: playlist.engine, gameName: playlist.game, mapName: playlist.map, startPosType: 'beforegame', startDelay, allyTeams };
}

/** Picks the address players connect to: no unspecified or link-local addresses, IPv4 first (Tachyon protocol docs, `autohost/start` response `ips`). */
export function chooseAddress(ips: readonly string[]): string | null {
  const usable = ips.filter((ip) => {
    const family = isIP(ip);
    if (family === 0) return false;
    if (ip === '0.0.0.0' || ip === '::' || ip.startsWith('169.254.')) return false;
    return !(family === 6 && /^fe[89ab]/i.test(ip));
  });
  return usable.find((ip) => isIP(ip) === 4) ?? usable[0] ?? null;
}
