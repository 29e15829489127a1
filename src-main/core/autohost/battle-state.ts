// What a hosted battle looks like to the UI, built by a pure function from the battle's start data and its updates.
import type { AutohostUpdateEventData } from 'tachyon-protocol/types';

/** starting (start answered, waiting for players) → running (`start`) → finished (a `finished` came) → ended (quit/crash). */
export type HostedBattlePhase = 'starting' | 'running' | 'finished' | 'ended';

export interface HostedPlayer {
  readonly userId: string;
  readonly name: string;
  readonly playerNumber: number;
  /** In the start script as a spectator, or added later by `addPlayer` (the engine adds them as spectators). */
  readonly spectator: boolean;
  readonly connected: boolean;
  readonly leftReason?: 'lost_connection' | 'left' | 'kicked';
  readonly defeated: boolean;
}

export interface HostedChatLine {
  readonly time: number;
  readonly userId: string;
  readonly message: string;
  readonly destination: 'all' | 'allies' | 'spectators' | 'player';
  readonly toUserId?: string;
}

/** One reported result: the ally teams a player's engine said won. */
export interface HostedResult {
  readonly userId: string;
  readonly winningAllyTeams: readonly number[];
}

/** Reports grouped by the winners they name, most reported first: clients may disagree. */
export interface HostedWinnerTally {
  readonly winningAllyTeams: readonly number[];
  readonly reports: number;
}

export interface HostedBattleState {
  readonly battleId: string;
  readonly engineVersion: string;
  readonly gameName: string;
  readonly mapName: string;
  readonly phase: HostedBattlePhase;
  /** The UDP port players join on, once the engine listens. */
  readonly port: number | null;
  /** Epoch ms the start request arrived. */
  readonly requestedAt: number;
  readonly players: readonly HostedPlayer[];
  readonly chat: readonly HostedChatLine[];
  readonly results: readonly HostedResult[];
  readonly winners: readonly HostedWinnerTally[];
  readonly end: { readonly kind: 'quit' | 'crash'; readonly details?: string } | null;
}

/** Chat lines kept per battle: enough for a battle view, bounded against a chatty or hostile game. */
export const CHAT_LINES_KEPT = 200;

export function initialBattleState(input: {
  battleId: string;
  engineVersion: string;
  gameName: string;
  mapName: string;
  requestedAt: number;
  players: ReadonlyArray<{ userId: string; name: string; spectator: boolean }>;
}): HostedBattleState {
  return {
    battleId: input.battleId,
    engineVersion: input.engineVersion,
    gameName: input.gameName,
    mapName: input.mapName,
    phase: 'starting',
    port: null,
    requestedAt: input.requestedAt,
    players: input.players.map((p, playerNumber) => ({ userId: p.userId, name: p.name, playerNumber, spectator: p.spectator, connected: false, defeated: false })),
    chat: [],
    results: [],
    winners: [],
    end: null,
  };
}

export function withPlayerAdded(state: HostedBattleState, player: { userId: string; name: string; playerNumber: number }): HostedBattleState {
  return { ...state, players: [...state.players, { ...player, spectator: true, connected: false, defeated: false }] };
}

/** The state after one update; updates after the end change nothing (they are never sent either). */
export function applyBattleUpdate(state: HostedBattleState, event: AutohostUpdateEventData): HostedBattleState {
  if (state.phase === 'ended') return state;
  const update = event.update;
  switch (update.type) {
    case 'start':
      return state.phase === 'starting' ? { ...state, phase: 'running' } : state;
    case 'finished': {
      const results = [...state.results, { userId: update.userId, winningAllyTeams: [...update.winningAllyTeams] }];
      return { ...state, phase: 'finished', results, winners: tally(results) };
    }
    case 'engine_quit':
      return { ...state, phase: 'ended', end: { kind: 'quit' }, players: state.players.map((p) => (p.connected ? { ...p, connected: false } : p)) };
    case 'engine_crash':
      return {
        ...state,
        phase: 'ended',
        end: update.details === undefined ? { kind: 'crash' } : { kind: 'crash', details: update.details },
        players: state.players.map((p) => (p.connected ? { ...p, connected: false } : p)),
      };
    case 'player_joined':
      return mapPlayer(state, update.userId, (p) => {
        const { leftReason: _gone, ...rest } = p;
        return { ...rest, connected: true };
      });
    case 'player_left':
      return mapPlayer(state, update.userId, (p) => ({ ...p, connected: false, leftReason: update.reason }));
    case 'player_defeated':
      return mapPlayer(state, update.userId, (p) => ({ ...p, defeated: true }));
    case 'player_chat': {
      const line: HostedChatLine =
        update.destination === 'player'
          ? { time: event.time, userId: update.userId, message: update.message, destination: 'player', toUserId: update.toUserId }
          : { time: event.time, userId: update.userId, message: update.message, destination: update.destination };
      return { ...state, chat: [...state.chat, line].slice(-CHAT_LINES_KEPT) };
    }
    case 'engine_message':
    case 'engine_warning':
    case 'luamsg':
      return state;
    default:
      return assertNever(update);
  }
}

function mapPlayer(state: HostedBattleState, userId: string, change: (player: HostedPlayer) => HostedPlayer): HostedBattleState {
  return { ...state, players: state.players.map((p) => (p.userId === userId ? change(p) : p)) };
}

function tally(results: readonly HostedResult[]): HostedWinnerTally[] {
  const counts = new Map<string, HostedWinnerTally>();
  for (const result of results) {
    const teams = [...new Set(result.winningAllyTeams)].sort((a, b) => a - b);
    const key = teams.join(',');
    const seen = counts.get(key);
    counts.set(key, { winningAllyTeams: teams, reports: (seen?.reports ?? 0) + 1 });
  }
  return [...counts.values()].sort((a, b) => b.reports - a.reports);
}

function assertNever(value: never): never {
  throw new Error(`unhandled battle update ${JSON.stringify(value)}`);
}
