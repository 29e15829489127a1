// The one fold of a hosted battle's updates (the protocol's `autohost/update`): its phase, how it ended, the results
// players reported and each player's connection and defeat. Pure and runtime-neutral: the local autohost keeps it per
// battle (core/autohost/battle-state.ts), the page folds the `battleUpdates` slice with it (src-renderer/battle-updates.ts).
import { assertNever } from './assert-never';

export type LeaveReason = 'lost_connection' | 'left' | 'kicked';

/** One update of a battle hosted by the local autohost (the protocol's `autohost/update`), known fields only. */
export interface BattleUpdateView {
  readonly battleId: string;
  /** Milliseconds since the epoch (the protocol's microseconds / 1000). */
  readonly at: number;
  readonly type:
    | 'start' | 'finished' | 'engine_message' | 'engine_warning' | 'engine_quit' | 'engine_crash'
    | 'player_joined' | 'player_left' | 'player_chat' | 'player_defeated' | 'luamsg';
  readonly userId?: string;
  readonly name?: string;
  /** A chat line, an engine message or warning, or a crash's details. */
  readonly message?: string;
  readonly reason?: LeaveReason;
  readonly destination?: string;
  readonly toUserId?: string;
  readonly winningAllyTeams?: readonly number[];
}

/** starting (start answered, waiting for players) → running (`start`) → finished (a `finished` came) → ended (quit/crash). */
export type BattlePhase = 'starting' | 'running' | 'finished' | 'ended';

export interface BattleEnd {
  readonly kind: 'quit' | 'crash';
  readonly details?: string;
}

/** One reported result: the ally teams a player's engine said won. */
export interface BattleResult {
  readonly userId: string;
  readonly winningAllyTeams: readonly number[];
}

/** Reports grouped by the winners they name, most reported first: clients may disagree. */
export interface WinnerTally {
  readonly winningAllyTeams: readonly number[];
  readonly reports: number;
}

export interface PlayerProgress {
  readonly userId: string;
  readonly connected: boolean;
  /** Why they left, until they join again. */
  readonly leftReason?: LeaveReason;
  /** Stays true: a defeated player who leaves or comes back is still out of the game. */
  readonly defeated: boolean;
}

export interface BattleProgress {
  readonly phase: BattlePhase;
  readonly end: BattleEnd | null;
  /** Every `finished` report, in order (one per reporting player). */
  readonly results: readonly BattleResult[];
  /** Players in the order first named by a join, leave or defeat (after those given at the start). */
  readonly players: readonly PlayerProgress[];
  /** How many `player_joined` updates came: a battle someone joined is no longer only waiting. */
  readonly joins: number;
}

/** A battle before any update; `userIds` are the players the start script already names (the local autohost knows them). */
export function startBattleProgress(userIds: readonly string[] = []): BattleProgress {
  return { phase: 'starting', end: null, results: [], players: userIds.map((userId) => ({ userId, connected: false, defeated: false })), joins: 0 };
}

/** The progress after one update. Nothing changes after the end (the autohost sends nothing after it either). */
export function foldBattleUpdate(state: BattleProgress, update: BattleUpdateView): BattleProgress {
  if (state.phase === 'ended') return state;
  switch (update.type) {
    case 'start':
      return state.phase === 'starting' ? { ...state, phase: 'running' } : state;
    case 'finished':
      return {
        ...state,
        phase: 'finished',
        results: [...state.results, { userId: update.userId ?? '', winningAllyTeams: [...(update.winningAllyTeams ?? [])] }],
      };
    case 'engine_quit':
      return { ...state, phase: 'ended', end: { kind: 'quit' }, players: disconnectAll(state.players) };
    case 'engine_crash':
      return {
        ...state,
        phase: 'ended',
        end: update.message === undefined ? { kind: 'crash' } : { kind: 'crash', details: update.message },
        players: disconnectAll(state.players),
      };
    case 'player_joined':
      return {
        ...withPlayer(state, update.userId, (p) => {
          const { leftReason: _gone, ...rest } = p;
          return { ...rest, connected: true };
        }),
        joins: state.joins + 1,
      };
    case 'player_left':
      return withPlayer(state, update.userId, (p) => ({ ...p, connected: false, leftReason: update.reason ?? 'left' }));
    case 'player_defeated':
      return withPlayer(state, update.userId, (p) => ({ ...p, defeated: true }));
    case 'player_chat':
    case 'engine_message':
    case 'engine_warning':
    case 'luamsg':
      return state;
    default:
      return assertNever(update.type);
  }
}

/** The last battle's updates folded, in order (the slice holds several battles, oldest first); null without updates. */
export function foldLastBattle(updates: readonly BattleUpdateView[]): { battleId: string; progress: BattleProgress } | null {
  const battleId = updates[updates.length - 1]?.battleId;
  if (battleId === undefined) return null;
  let progress = startBattleProgress();
  for (const update of updates) if (update.battleId === battleId) progress = foldBattleUpdate(progress, update);
  return { battleId, progress };
}

/** The first result that names any winner: the one the page shows. */
export function firstWinners(results: readonly BattleResult[]): readonly number[] | null {
  return results.find((r) => r.winningAllyTeams.length > 0)?.winningAllyTeams ?? null;
}

/** Results grouped by the (deduplicated, sorted) winners they name, most reported first. */
export function tallyWinners(results: readonly BattleResult[]): WinnerTally[] {
  const counts = new Map<string, WinnerTally>();
  for (const result of results) {
    const teams = [...new Set(result.winningAllyTeams)].sort((a, b) => a - b);
    const key = teams.join(',');
    const seen = counts.get(key);
    counts.set(key, { winningAllyTeams: teams, reports: (seen?.reports ?? 0) + 1 });
  }
  return [...counts.values()].sort((a, b) => b.reports - a.reports);
}

function disconnectAll(players: readonly PlayerProgress[]): readonly PlayerProgress[] {
  return players.map((p) => (p.connected ? { ...p, connected: false } : p));
}

/** Changes one player, adding them first if no update named them yet; an update without a user changes nothing. */
function withPlayer(state: BattleProgress, userId: string | undefined, change: (player: PlayerProgress) => PlayerProgress): BattleProgress {
  if (userId === undefined) return state;
  const index = state.players.findIndex((p) => p.userId === userId);
  if (index < 0) return { ...state, players: [...state.players, change({ userId, connected: false, defeated: false })] };
  return { ...state, players: state.players.map((p, i) => (i === index ? change(p) : p)) };
}
