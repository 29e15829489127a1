// Caps on what a server sends, applied where it arrives: a hostile or broken server can make no string or list grow without bound.
import { createHash } from 'node:crypto';

/** Longest strings kept, in UTF-16 units; longer ones are cut (names, text) or refused (ids, whose meaning a cut would change). */
export const TEXT_CAPS = {
  /** User, party and queue ids; an entry with a longer id is dropped. */
  id: 128,
  /** Usernames, display names, clan ids, playlist, engine, game and map names. */
  name: 128,
  countryCode: 8,
  /** A received chat line (the protocol lets a player send 512 characters). */
  chatText: 2_048,
  /** A history marker longer than this is kept as a digest and never saved: it could not be sent back anyway. */
  marker: 256,
  /** A game option's or a bot option's value. */
  optionValue: 1_024,
  /** A bot's name and AI short name (the schema allows 20). */
  botName: 64,
} as const;

/** Longest lists kept; when one would grow past its cap the oldest entries go first. */
export const LIST_CAPS = {
  friends: 1_000,
  friendRequests: 500,
  partyInvitations: 50,
  partyMembers: 64,
  playlists: 100,
  /** Engines, games and maps of one playlist. */
  playlistItems: 200,
  queues: 100,
  /** Players, spectators, bots, bosses and voters of one custom lobby, each (the engine holds 251 in all). */
  lobbyMembers: 256,
  allyTeams: 64,
  teamsPerAllyTeam: 256,
  /** Game options of a lobby, options of a bot. */
  options: 500,
  /** The largest count (players, positions, maximums) taken from a server as it is. */
  countMax: 100_000,
} as const;

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function isUsableId(id: string): boolean {
  return id.length > 0 && id.length <= TEXT_CAPS.id;
}

/** The newest `max` entries (lists grow at the end). */
export function newest<T>(list: readonly T[], max: number): T[] {
  return list.length > max ? list.slice(list.length - max) : list.slice();
}

/** A marker short enough to keep as it is, or a fixed-size digest of it that still tells lines apart. */
export function markerKey(marker: string): string {
  if (marker.length <= TEXT_CAPS.marker) return marker;
  return `digest:${createHash('sha256').update(marker).digest('base64url')}`;
}
