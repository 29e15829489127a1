// What a battle's start data and the autohost's options become before the engine starts: the player roster and springsettings.cfg.
import type { AutohostStartRequestData } from 'tachyon-protocol/types';
import { buildHostScript, quoteForMessage, StartScriptError } from '../engine';
import { FailWith } from '../protocol/endpoint';
import { compileLuamsgFilter, LuamsgPatternError, type LuamsgFilter } from './luamsg-filter';

const SETTING_KEY = /^[A-Za-z0-9_]{1,64}$/;

export interface RosterEntry {
  userId: string;
  name: string;
  password: string;
  spectator: boolean;
}

/** Players in engine numbering (team players in walk order, then spectators), as the start script numbers them. */
export function checkRoster(data: AutohostStartRequestData): RosterEntry[] {
  const roster: RosterEntry[] = [];
  for (const allyTeam of data.allyTeams) {
    for (const team of allyTeam.teams) {
      for (const p of team.players ?? []) roster.push({ userId: p.userId, name: p.name, password: p.password, spectator: false });
    }
  }
  for (const p of data.spectators ?? []) roster.push({ userId: p.userId, name: p.name, password: p.password, spectator: true });
  for (const p of roster) {
    // Names are also command arguments later (/kick, /mute, /spec): one word, as the engine parses them.
    if (typeof p.name === 'string' && /\s/.test(p.name)) throw new FailWith<'autohost/start'>('invalid_request', 'player names must not contain spaces');
  }
  return roster;
}

/** springsettings.cfg for every battle: spectators only by /adduser, the first-player timeout, and the extra settings. */
export function springSettings(options: { initialNetworkTimeoutSeconds?: number; engineSettings?: Readonly<Record<string, string | number>> }): string {
  const settings: Record<string, string | number> = { AllowSpectatorJoin: 0, WhiteListAdditionalPlayers: 1 };
  if (options.initialNetworkTimeoutSeconds !== undefined) settings.InitialNetworkTimeout = Math.max(10, Math.round(options.initialNetworkTimeoutSeconds));
  for (const [key, value] of Object.entries(options.engineSettings ?? {})) {
    // eslint-disable-next-line no-control-regex
    if (!SETTING_KEY.test(key) || /[\u0000-\u001f\u007f]/.test(String(value))) throw new Error(`engine setting ${quoteForMessage(key)} is not a plain key = value line`);
    settings[key] = value;
  }
  return Object.entries(settings).map(([k, v]) => `${k} = ${v}\n`).join('');
}

/** The battle's luamsg filter, or null when it asked for none; a pattern that is refused is invalid_request. */
export function battleLuamsgFilter(data: AutohostStartRequestData): LuamsgFilter | null {
  if (data.luamsgRegexp === undefined) return null;
  try {
    return compileLuamsgFilter(data.luamsgRegexp);
  } catch (error) {
    if (error instanceof LuamsgPatternError) throw new FailWith<'autohost/start'>('invalid_request', error.message);
    throw error;
  }
}

/** The host script, with hostile or malformed start data answered as invalid_request. */
export function hostScriptFor(data: AutohostStartRequestData, addresses: Parameters<typeof buildHostScript>[1]): string {
  try {
    return buildHostScript(data, addresses);
  } catch (error) {
    if (error instanceof StartScriptError) throw new FailWith<'autohost/start'>('invalid_request', error.message);
    throw error;
  }
}
