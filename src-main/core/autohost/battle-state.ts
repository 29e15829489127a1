// What a hosted battle looks like to the UI: the battle's start data and roster, with the phase, results and each player's
// state from the shared fold (src-main/shared/battle-fold.ts, which the page uses too) and a bounded chat log.
import type { AutohostUpdateEventData } from 'tachyon-protocol/types';
import {
  foldBattleUpdate, tallyWinners, type BattleEnd, type BattlePhase, type BattleProgress, type BattleResult, type BattleUpdateView,
  type LeaveReason, type WinnerTally,
} from '../../shared/battle-fold';

/** starting (start answered, waiting for players) → running (`start`) → finished (a `finished` came) → ended (quit/crash). */
export type HostedBattlePhase = BattlePhase;

export interface HostedPlayer {
  readonly userId: string;
  readonly name: string;
  readonly playerNumber: number;
  /** In the start script as a spectator, or added later by `addPlayer` (the engine adds them as spectators). */
  readonly spectator: boolean;
  readonly connected: boolean;
  readonly leftReason?: LeaveReason;
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
export type HostedResult = BattleResult;

/** Reports grouped by the winners they name, most reported first: clients may disagree. */
export type HostedWinnerTally = WinnerTally;

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
  readonly end: BattleEnd | null;
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
  if (update.type === 'player_chat') {
    const line: HostedChatLine =
      update.destination === 'player'
        ? { time: event.time, userId: update.userId, message: update.message, destination: 'player', toUserId: update.toUserId }
        : { time: event.time, userId: update.userId, message: update.message, destination: update.destination };
    return { ...state, chat: [...state.chat, line].slice(-CHAT_LINES_KEPT) };
  }
  const before: BattleProgress = { phase: state.phase, end: state.end, results: state.results, players: state.players, joins: 0 };
  const after = foldBattleUpdate(before, battleUpdateView(event));
  if (after === before) return state;
  // The roster comes from the start script: a player the engine names who is not on it stays out of the UI's state.
  const progressOf = new Map(after.players.map((p) => [p.userId, p]));
  const players = state.players.map((p) => {
    const next = progressOf.get(p.userId);
    if (next === undefined || next === p) return p;
    const { leftReason: _before, ...rest } = p;
    return next.leftReason === undefined
      ? { ...rest, connected: next.connected, defeated: next.defeated }
      : { ...rest, connected: next.connected, defeated: next.defeated, leftReason: next.leftReason };
  });
  const winners = after.results === state.results ? state.winners : tallyWinners(after.results);
  return { ...state, phase: after.phase, end: after.end, results: after.results, winners, players };
}

/** Copies the known fields of an autohost update for the UI (luamsg data stays out: it is opaque bytes). */
export function battleUpdateView(event: AutohostUpdateEventData): BattleUpdateView {
  const u = event.update;
  const view: { -readonly [K in keyof BattleUpdateView]: BattleUpdateView[K] } = { battleId: event.battleId, at: Math.floor(event.time / 1000), type: u.type };
  switch (u.type) {
    case 'finished': view.userId = u.userId; view.winningAllyTeams = u.winningAllyTeams.slice(); break;
    case 'engine_message': case 'engine_warning': view.message = u.message; break;
    case 'engine_crash': if (u.details !== undefined) view.message = u.details; break;
    case 'player_joined': view.userId = u.userId; break;
    case 'player_left': view.userId = u.userId; view.reason = u.reason; break;
    case 'player_chat':
      view.userId = u.userId; view.message = u.message; view.destination = u.destination;
      if (u.destination === 'player') view.toUserId = u.toUserId;
      break;
    case 'player_defeated': view.userId = u.userId; break;
    case 'luamsg': view.userId = u.userId; break;
    case 'start': case 'engine_quit': break;
  }
  return view;
}
