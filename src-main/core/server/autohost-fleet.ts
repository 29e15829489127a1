// The autohosts connected to the embedded server: their status, their update streams (resumed with `since`), and hosting matches on them.
import type { AllyTeam, AutohostStartRequestData, AutohostStatusEventData, AutohostUpdateEventData } from 'tachyon-protocol/types';
import { isIP } from 'node:net';
import { RequestFailedError, type TachyonEndpoint } from '../protocol/endpoint';
import type { Logger } from '../log';
import { withTimeout } from '../../shared/with-timeout';
import type { BattleLauncher, MatchToLaunch } from './match';
import type { AutohostConnection } from './session';

interface AutohostRecord {
  connection: AutohostConnection | null;
  status: AutohostStatusEventData | null;
  /** The newest update `time` stored; the resume point of the next subscription. */
  lastTime: number;
}

const START_TIMEOUT_MS = 5_000; // Teiserver's autohost/start call timeout

export class AutohostFleet implements BattleLauncher {
  private readonly autohosts = new Map<string, AutohostRecord>();
  private readonly battleHost = new Map<string, string>(); // battleId → clientId
  private readonly endedListeners = new Set<(battleId: string) => void>();
  private readonly updateListeners = new Set<(update: AutohostUpdateEventData) => void>();

  private readonly goneTimers = new Map<string, NodeJS.Timeout>();

  /**
   * @param reconnectGraceMs how long an autohost may be away before its battles count as over (it may come back and
   *   resubscribe with `since`; if it does not, its players must not stay `playing` forever).
   */
  constructor(private readonly logger: Logger, private readonly now: () => number = Date.now, private readonly reconnectGraceMs = 30_000) {}

  onBattleEnded(listener: (battleId: string) => void): () => void {
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

  attach(connection: AutohostConnection): void {
    const record = this.autohosts.get(connection.clientId) ?? { connection: null, status: null, lastTime: this.now() * 1000 };
    const gone = this.goneTimers.get(connection.clientId);
    if (gone) clearTimeout(gone);
    this.goneTimers.delete(connection.clientId);
    record.connection = connection;
    record.status = null;
    this.autohosts.set(connection.clientId, record);
    connection.endpoint.onEvent((event) => {
      if (event.commandId === 'autohost/status') {
        record.status = { maxBattles: event.data.maxBattles, currentBattles: event.data.currentBattles, availableEngines: event.data.availableEngines.slice() };
      } else if (event.commandId === 'autohost/update') {
        this.store(record, event.data);
      }
    });
    // Resume where we stopped: updates strictly newer than the last one we stored (Tachyon protocol docs, `autohost/subscribeUpdates`).
    void this.subscribe(connection, record);
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

  /** The autohost did not come back: its battles are over for the server. */
  private abandon(clientId: string): void {
    this.goneTimers.delete(clientId);
    for (const [battleId, host] of [...this.battleHost]) {
      if (host !== clientId) continue;
      this.logger.warn(`autohost ${clientId} did not come back: battle ${battleId} is over`);
      this.battleHost.delete(battleId);
      for (const listener of this.endedListeners) listener(battleId);
    }
  }

  stop(): void {
    for (const timer of this.goneTimers.values()) clearTimeout(timer);
    this.goneTimers.clear();
  }

  async launch(match: MatchToLaunch): Promise<{ ip: string; port: number }> {
    const engine = match.playlist.engine;
    const candidates = [...this.autohosts.entries()].filter(([, a]) => a.connection && a.status && a.status.currentBattles < a.status.maxBattles);
    const host = candidates.find(([, a]) => a.status?.availableEngines.includes(engine));
    if (!host) {
      throw new Error(candidates.length === 0 ? 'no autohost with room is connected' : `no autohost has engine ${engine}`);
    }
    const [clientId, record] = host;
    const endpoint = record.connection?.endpoint;
    if (!endpoint) throw new Error('the autohost went away');
    const request = startRequest(match);
    this.battleHost.set(request.battleId, clientId);
    const answer = await withTimeout(endpoint.call('autohost/start', request), START_TIMEOUT_MS, 'the autohost did not answer autohost/start in 5 s');
    const ip = chooseAddress(answer.ips);
    if (!ip) throw new Error('the autohost offered no usable address');
    return { ip, port: answer.port };
  }

  /** Ends a battle on the autohost hosting it; the server forgets the battle either way. */
  async kill(battleId: string): Promise<void> {
    const endpoint = this.endpointFor(battleId);
    this.battleHost.delete(battleId);
    if (!endpoint) throw new Error('the autohost hosting it is not connected');
    await endpoint.call('autohost/kill', { battleId });
  }

  /** Sends a request for a running battle to the autohost hosting it (kick, mute, message, kill...). */
  endpointFor(battleId: string): TachyonEndpoint | null {
    const clientId = this.battleHost.get(battleId);
    return (clientId && this.autohosts.get(clientId)?.connection?.endpoint) || null;
  }

  private store(record: AutohostRecord, update: AutohostUpdateEventData): void {
    // A replay after a resubscription may overlap what we stored: `time` is unique and increasing per autohost.
    if (update.time <= record.lastTime) return;
    record.lastTime = update.time;
    for (const listener of this.updateListeners) listener(update);
    const type = update.update.type;
    if (type === 'engine_quit' || type === 'engine_crash') {
      this.battleHost.delete(update.battleId);
      for (const listener of this.endedListeners) listener(update.battleId);
    }
  }
}

/** The battle description for a match: one ally team per side, one team per player, bots for bot sides. */
export function startRequest(match: MatchToLaunch): AutohostStartRequestData {
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
  // `startDelay`: the engine's default countdown is 4 s once everyone is in; a matchmade battle has nothing to wait for.
  return { battleId: match.battleId, engineVersion: playlist.engine, gameName: playlist.game, mapName: playlist.map, startPosType: 'beforegame', startDelay: 1, allyTeams };
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
