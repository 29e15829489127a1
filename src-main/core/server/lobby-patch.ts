// A lobby's protocol view (`LobbyRoom.view()` in `lobby-state.ts`) and what members are sent: the difference of two views
// as a merge patch (RFC 7386), so a patch names exactly what changed, `null` for what went. A leaf: protocol types only.
import type { LobbyDetails, LobbyUpdate } from '../protocol/schemas/lobby-details';

/** The full view of a lobby: LobbyDetails plus what Teiserver also sends (`tags`, a vote's `quorum` and `majority`). */
export type LobbyView = LobbyDetails & { tags: Record<string, object>; currentVote?: LobbyDetails['currentVote'] & { quorum: number; majority: number } };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** RFC 7386's merge patch from `before` to `after`: changed values, `null` for removed keys; undefined when nothing changed. */
export function mergeDiff(before: Record<string, Json>, after: Record<string, Json>): Record<string, Json> | undefined {
  const patch: Record<string, Json> = {};
  for (const key of Object.keys(before)) if (!(key in after)) patch[key] = null;
  for (const [key, value] of Object.entries(after)) {
    const old = before[key];
    if (old === undefined) patch[key] = value;
    else if (isObject(old) && isObject(value)) {
      const inner = mergeDiff(old, value);
      if (inner) patch[key] = inner;
    } else if (JSON.stringify(old) !== JSON.stringify(value)) patch[key] = value;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/**
 * The `lobby/updated` a member gets for a change from `before` to `after`, or null when nothing they see changed. A merge
 * patch, shaped as LobbyUpdate requires: entries keep their `id`, a bot entry always carries `version` and `options`
 * (null when unset; `options` the patch of its options, `{}` when they did not change), an ally team entry its `teams`,
 * and what must come whole (a start box, a new vote, a vote's action) comes whole.
 */
export function lobbyPatch(before: LobbyView, after: LobbyView): LobbyUpdate | null {
  const diff = mergeDiff(before as unknown as Record<string, Json>, after as unknown as Record<string, Json>);
  if (!diff) return null;
  const patch = diff as Record<string, Json>;
  for (const group of ['players', 'spectators'] as const) {
    const entries = patch[group];
    if (isObject(entries)) for (const [id, entry] of Object.entries(entries)) if (isObject(entry)) entry.id = id;
  }
  if (isObject(patch.bots)) {
    for (const [id, entry] of Object.entries(patch.bots)) {
      if (!isObject(entry)) continue;
      const bot = after.bots[id];
      entry.id = id;
      entry.version = bot?.version ?? null;
      if (!('options' in entry)) entry.options = bot?.options ? {} : null;
    }
  }
  if (isObject(patch.allyTeamConfig)) {
    for (const [index, entry] of Object.entries(patch.allyTeamConfig)) {
      if (!isObject(entry)) continue;
      const full = after.allyTeamConfig[index];
      if (!('teams' in entry)) entry.teams = {};
      if ('startBox' in entry && full) entry.startBox = { ...full.startBox };
    }
  }
  if (isObject(patch.currentVote)) {
    const vote = after.currentVote;
    if (vote && before.currentVote?.id !== vote.id) patch.currentVote = structuredClone(vote) as unknown as Json;
    else if (vote) {
      patch.currentVote.id = vote.id;
      if ('action' in patch.currentVote) patch.currentVote.action = structuredClone(vote.action) as unknown as Json;
    }
  }
  if (isObject(patch.currentBattle) && after.currentBattle) patch.currentBattle = { ...after.currentBattle };
  if (isObject(patch.voteHistory)) {
    for (const [id, entry] of Object.entries(patch.voteHistory)) {
      const full = after.voteHistory?.[id];
      if (isObject(entry) && full) patch.voteHistory[id] = structuredClone(full) as unknown as Json;
    }
  }
  patch.id = after.id;
  return patch as unknown as LobbyUpdate;
}

/** LobbyDetails as `lobby/create` and `lobby/join` answer. */
export function lobbyDetails(view: LobbyView): LobbyDetails {
  return structuredClone(view);
}
