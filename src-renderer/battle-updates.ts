// The battle state of the autohost's `autohost/update` events, in words: the current battle (last battleId), who is in it, how it ended, and a timeline.
// The state itself is the shared fold's (src-main/shared/battle-fold.ts); this file only words it.
import type { BattleUpdateView } from '../src-main/contract';
import { assertNever } from '../src-main/shared/assert-never';
import { firstWinners, foldLastBattle, type BattleProgress, type PlayerProgress } from '../src-main/shared/battle-fold';
import type { Tone } from './present';

export type BattleOutcome = 'waiting' | 'running' | 'finished' | 'quit' | 'crashed';
export type PlayerState = 'in' | 'left' | 'defeated';

export interface BattlePlayerRow {
  readonly userId: string;
  readonly name: string;
  readonly state: PlayerState;
  /** Words for how they left ("lost connection", "was kicked"), when they did. */
  readonly detail?: string;
}

export type BattleEventKind = 'start' | 'joined' | 'left' | 'chat' | 'defeated' | 'finished' | 'quit' | 'crash' | 'warning';

export interface BattleEventRow {
  /** Stable per row within one battle (the update's index in the slice). */
  readonly key: string;
  readonly at: number;
  readonly kind: BattleEventKind;
  readonly tone: Tone;
  /** Who and what, e.g. "Alice joined", "Bob left: lost connection", "Alice to allies". */
  readonly text: string;
  /** A chat line's words, shown as text beside the speaker. */
  readonly message?: string;
}

export interface BattleReport {
  readonly battleId: string;
  readonly outcome: BattleOutcome;
  readonly tone: Tone;
  /** One line for a glance: "In progress", "Finished — Team 1 won", "The engine crashed: …". */
  readonly headline: string;
  /** Winning ally teams as the players reported them (0-based ids), once any did. */
  readonly winners: readonly number[] | null;
  readonly players: readonly BattlePlayerRow[];
  readonly events: readonly BattleEventRow[];
  /** Older timeline rows left out to keep the view light. */
  readonly hiddenEvents: number;
}

/** Timeline rows shown at most; the slice itself keeps up to 1,000 updates. */
export const BATTLE_EVENTS_SHOWN = 200;

const LEFT_WORDS: Readonly<Record<string, string>> = { lost_connection: 'lost connection', left: 'left the game', kicked: 'was kicked' };
const DESTINATION_WORDS: Readonly<Record<string, string>> = { all: 'to all', allies: 'to allies', spectators: 'to spectators' };

/** Ally team ids are 0-based in the start script; players count teams from 1. */
export function teamWords(allyTeams: readonly number[]): string {
  const names = allyTeams.map((id) => `Team ${id + 1}`);
  if (names.length <= 1) return `${names[0] ?? 'No team'} won`;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} won`;
}

/**
 * The report of the current battle: the updates of the last battleId seen, in order. The shared fold
 * (src-main/shared/battle-fold.ts, the one the local autohost keeps) says the phase, the results and each player's state;
 * this adds names and the timeline in words. `nameOf` turns a user id into a display name (the users store); an update's
 * own `name` wins when it carries one. Null when no battle has updates.
 */
export function presentBattleUpdates(updates: readonly BattleUpdateView[], nameOf: (userId: string) => string): BattleReport | null {
  const folded = foldLastBattle(updates);
  if (!folded) return null;
  const { battleId, progress } = folded;
  const events: BattleEventRow[] = [];
  let winnerShown = false;
  // A name an update carried (the autohost knows bots' and players' in-game names) is used for that id from then on.
  const known = new Map<string, string>();
  // The name a player row shows: the one at their latest join, else at the first update that named them.
  const rowNames = new Map<string, string>();
  const who = (u: BattleUpdateView): string => {
    if (u.name && u.name.length > 0) {
      if (u.userId) known.set(u.userId, u.name);
      return u.name;
    }
    return u.userId ? (known.get(u.userId) ?? nameOf(u.userId)) : 'Someone';
  };
  const nameRow = (u: BattleUpdateView, joined: boolean): string => {
    const name = who(u);
    if (u.userId && (joined || !rowNames.has(u.userId))) rowNames.set(u.userId, name);
    return name;
  };

  updates.forEach((u, index) => {
    if (u.battleId !== battleId) return;
    const key = `${index}`;
    const push = (kind: BattleEventKind, tone: Tone, text: string, message?: string) =>
      events.push(message === undefined ? { key, at: u.at, kind, tone, text } : { key, at: u.at, kind, tone, text, message });
    switch (u.type) {
      case 'start':
        push('start', 'good', 'The battle started');
        return;
      case 'player_joined':
        push('joined', 'good', `${nameRow(u, true)} joined`);
        return;
      case 'player_left':
        push('left', u.reason === 'left' ? 'idle' : 'warn', `${nameRow(u, false)} ${leftWords(u.reason)}`);
        return;
      case 'player_chat': {
        const to = u.destination === 'player' ? `to ${u.toUserId ? (known.get(u.toUserId) ?? nameOf(u.toUserId)) : 'a player'}` : (DESTINATION_WORDS[u.destination ?? ''] ?? 'to all');
        push('chat', 'idle', `${who(u)} ${to}`, u.message ?? '');
        return;
      }
      case 'player_defeated':
        push('defeated', 'warn', `${nameRow(u, false)} was defeated`);
        return;
      case 'finished':
        // Sent once per player reporting the result: the first that names winners is shown, the others only count.
        if (!winnerShown && u.winningAllyTeams && u.winningAllyTeams.length > 0) {
          winnerShown = true;
          push('finished', 'good', `Game over: ${teamWords(u.winningAllyTeams)}`);
        }
        return;
      case 'engine_quit':
        push('quit', 'idle', 'The battle closed');
        return;
      case 'engine_crash':
        push('crash', 'bad', u.message ? `The engine crashed: ${u.message}` : 'The engine crashed');
        return;
      case 'engine_warning':
        push('warning', 'warn', `Engine warning: ${u.message ?? ''}`);
        return;
      case 'engine_message':
      case 'luamsg':
        // Connection notices and game-specific Lua traffic: not for the player's eyes at a glance.
        return;
      default:
        return assertNever(u.type);
    }
  });

  const outcome = outcomeOf(progress);
  const winners = firstWinners(progress.results);
  const { headline, tone } = outcomeWords(outcome, winners, progress.results.length, progress.end?.details);
  const hiddenEvents = Math.max(0, events.length - BATTLE_EVENTS_SHOWN);
  return {
    battleId,
    outcome,
    tone,
    headline,
    winners,
    players: progress.players.map((p) => playerRow(p, rowNames.get(p.userId) ?? nameOf(p.userId))),
    events: hiddenEvents > 0 ? events.slice(hiddenEvents) : events,
    hiddenEvents,
  };
}

/** The fold's phase in the page's words: a battle someone joined is under way even before the engine says `start`. */
function outcomeOf(progress: BattleProgress): BattleOutcome {
  if (progress.end?.kind === 'crash') return 'crashed';
  if (progress.results.length > 0) return 'finished';
  if (progress.end?.kind === 'quit') return 'quit';
  if (progress.phase === 'running' || progress.joins > 0) return 'running';
  return 'waiting';
}

/** Defeated wins over left: that is what mattered in the game. A player still listed at the end was in to the end. */
function playerRow(p: PlayerProgress, name: string): BattlePlayerRow {
  if (p.defeated) return { userId: p.userId, name, state: 'defeated' };
  if (p.leftReason !== undefined) return { userId: p.userId, name, state: 'left', detail: leftWords(p.leftReason) };
  return { userId: p.userId, name, state: 'in' };
}

function leftWords(reason: string | undefined): string {
  return LEFT_WORDS[reason ?? ''] ?? 'left';
}

function outcomeWords(outcome: BattleOutcome, winners: readonly number[] | null, reports: number, crash: string | undefined): { headline: string; tone: Tone } {
  switch (outcome) {
    case 'waiting':
      return { headline: 'Waiting for players', tone: 'busy' };
    case 'running':
      return { headline: 'In progress', tone: 'good' };
    case 'finished': {
      const by = reports > 1 ? ` (reported by ${reports} players)` : '';
      return { headline: winners ? `Finished — ${teamWords(winners)}${by}` : 'Finished', tone: 'good' };
    }
    case 'quit':
      return { headline: 'Closed before a result', tone: 'idle' };
    case 'crashed':
      return { headline: crash ? `The engine crashed: ${crash}` : 'The engine crashed', tone: 'bad' };
    default:
      return assertNever(outcome);
  }
}

