// What a decoded engine packet becomes in Tachyon's `autohost/update`: pure, so it is testable without UDP or an engine.
import { redactEngineText, type AutohostEvent } from '../engine';
import type { LuamsgFilter } from './luamsg-filter';
import type { BattleUpdate } from './update-buffer';

/** What of a battle the mapping reads; `gameOverReporters` is the one thing it writes (each reporter counts once). */
export interface EngineUpdateContext {
  readonly userByNumber: ReadonlyMap<number, string>;
  readonly gameOverReporters: Set<number>;
  readonly passwords: ReadonlySet<string>;
  readonly luamsg: LuamsgFilter | null;
}

/** The update a packet makes, or null for one Tachyon has no update for (or that names a player not in the battle). */
export function toUpdate(battle: EngineUpdateContext, event: AutohostEvent, onUnknownPlayer: (player: number) => void = () => {}): BattleUpdate | null {
  const user = (player: number): string | null => {
    const userId = battle.userByNumber.get(player);
    if (userId === undefined) onUnknownPlayer(player);
    return userId ?? null;
  };
  switch (event.type) {
    case 'quit':
      return { type: 'engine_quit' };
    case 'start_playing':
      return { type: 'start' };
    case 'game_over': {
      // The engine sends one per client; each reporting player counts once (they may disagree: the UI tallies).
      if (battle.gameOverReporters.has(event.player)) return null;
      const userId = user(event.player);
      const [first, ...rest] = event.winningAllyTeams;
      if (userId === null || first === undefined) return null;
      battle.gameOverReporters.add(event.player);
      return { type: 'finished', userId, winningAllyTeams: [first, ...rest] };
    }
    case 'message':
      return { type: 'engine_message', message: redactBattleText(battle, event.text) };
    case 'warning':
      return { type: 'engine_warning', message: redactBattleText(battle, event.text) };
    case 'player_joined': {
      const userId = user(event.player);
      return userId === null ? null : { type: 'player_joined', userId, playerNumber: event.player };
    }
    case 'player_left': {
      const userId = user(event.player);
      return userId === null ? null : { type: 'player_left', userId, reason: event.reason };
    }
    case 'player_defeated': {
      const userId = user(event.player);
      return userId === null ? null : { type: 'player_defeated', userId };
    }
    case 'player_chat': {
      const userId = user(event.player);
      if (userId === null) return null;
      const destination = event.destination;
      if (destination.kind === 'player') {
        const toUserId = user(destination.player);
        return toUserId === null ? null : { type: 'player_chat', userId, message: event.text, destination: 'player', toUserId };
      }
      if (destination.kind === 'server') return null;
      return { type: 'player_chat', userId, message: event.text, destination: destination.kind };
    }
    case 'luamsg': {
      // Only what the battle asked for (luamsgRegexp); none when it asked for nothing.
      if (battle.luamsg === null || !battle.luamsg.matches(event.data)) return null;
      const userId = user(event.player);
      if (userId === null) return null;
      const script = event.script === 'gaia' ? 'game' : event.script;
      const update: BattleUpdate = { type: 'luamsg', userId, script, data: event.data.toString('base64') };
      if (script === 'ui' && event.uiMode !== undefined) update.uiMode = event.uiMode;
      return update;
    }
    case 'started':
    case 'player_ready':
    case 'team_stat':
      // Not in Tachyon's autohost/update union.
      return null;
    default:
      return assertNever(event);
  }
}

/** Engine text with the battle's passwords taken out, for updates and crash details. */
export function redactBattleText(battle: Pick<EngineUpdateContext, 'passwords'>, text: string): string {
  return redactEngineText(text, [...battle.passwords]);
}

function assertNever(value: never): never {
  throw new Error(`unhandled engine event ${JSON.stringify(value)}`);
}
