// Which protocol revision the server speaks, learnt from what it sends. Every revision negotiates the same `v0.tachyon`
// subprotocol and no message carries a version (Tachyon protocol docs, connection.md), so the shapes are the only sign:
// - `user/self.user` with `matchmaking` → Teiserver's current revision; with `currentLobby` or `clanInvites` but no
//   `matchmaking` → a revision after 1.13.0 (these arrived in 1.14 and 1.18); with neither → 1.13.0;
// - `matchmaking/list` playlists with a `version` → after 1.13.0 (1.17), without → 1.13.0;
// - a `party/create` answer with the whole `party` → after 1.13.0 (1.22), with only `partyId` → 1.13.0.
// `user/self` arrives first on every connection and decides; the others are hints that only ever add what they prove.
import type { ProtocolRevision } from './state';

/** What a hint proves: at least a revision after 1.13.0, or the 1.13.0 shape. */
export type RevisionHint = 'newer' | '1.13';

/** The revision a `user/self` user shows. */
export function revisionOfSelf(user: object): ProtocolRevision {
  if ('matchmaking' in user) return 'tachyon-current';
  if ('currentLobby' in user || 'clanInvites' in user) return 'tachyon-newer';
  return 'tachyon-1.13';
}

/** What a `matchmaking/list` answer proves; null when it lists nothing to go by. */
export function hintOfPlaylists(playlists: readonly object[]): RevisionHint | null {
  if (playlists.length === 0) return null;
  return playlists.every((p) => typeof (p as { version?: unknown }).version === 'string') ? 'newer' : '1.13';
}

/** What a `party/create` answer proves. */
export function hintOfPartyCreate(answer: object): RevisionHint {
  return 'party' in answer ? 'newer' : '1.13';
}

/**
 * The revision once `hint` is heard: a shape newer than 1.13.0 lifts `unknown` and 1.13.0 to "newer"; the 1.13.0 shape only
 * tells when nothing else has yet (a server that showed a newer shape keeps its word).
 */
export function withHint(known: ProtocolRevision, hint: RevisionHint): ProtocolRevision {
  if (hint === 'newer') return known === 'unknown' || known === 'tachyon-1.13' ? 'tachyon-newer' : known;
  return known === 'unknown' ? 'tachyon-1.13' : known;
}
