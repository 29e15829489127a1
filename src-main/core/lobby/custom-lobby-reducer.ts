// Custom lobbies (`lobby/*`) as pure translations: LobbyDetails into the room the player is in, `lobby/updated` merge patches
// onto it (`null` removes, a field left out stays), and the list from `lobby/listReset` / `lobby/listUpdated`. Every record
// keyed by id is built without a prototype, so an id such as `__proto__` is an id like any other; every count and string is
// capped (caps.ts, LOBBY_LIMITS) so no server can make the state grow without bound.
import type { EventOf, SuccessData } from '../protocol/commands';
import type {
  AllyTeamView, LobbyAssetStatus, LobbyBotView, LobbyPlayerView, LobbyRoomView, LobbySpectatorView, LobbySummaryView, LobbyVoteAction,
  LobbyVoteOutcome, LobbyVoteRecordView, LobbyVoterState, LobbyVoteView, StartBoxView,
} from '../../shared/custom-lobbies-view';
import { LOBBY_LIMITS } from '../../shared/lobby-reducers';
import { clip, isUsableId, LIST_CAPS, TEXT_CAPS } from './caps';
import { unixTimeMs } from './reducers';

type Details = SuccessData<'lobby/create'>;
type Update = EventOf<'lobby/updated'>['data'];
type Overview = EventOf<'lobby/listReset'>['data']['lobbies'][string];
type OverviewUpdate = NonNullable<EventOf<'lobby/listUpdated'>['data']['lobbies'][string]>;

type Rec<T> = Record<string, T>;

/** An empty record without a prototype: `__proto__`, `constructor` and the like are plain keys in it. */
export function emptyRecord<T>(): Rec<T> {
  return Object.create(null) as Rec<T>;
}

/** The own entries of something the server sent as an object keyed by id; anything else has none. */
function entriesOf<T>(value: Readonly<Rec<T>> | null | undefined): [string, T][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value);
}

function copyRecord<T>(from: Readonly<Rec<T>>): Rec<T> {
  const to = emptyRecord<T>();
  // Our records have no prototype, so for-in sees own keys only; hasOwn keeps that true for any other object.
  for (const key in from) if (Object.hasOwn(from, key)) to[key] = from[key] as T;
  return to;
}

/** A game option's key or a bot option's key: like an id, refused rather than cut when too long. */
const isUsableKey = (key: string): boolean => key.length > 0 && key.length <= TEXT_CAPS.id;
const name = (text: string): string => clip(text, TEXT_CAPS.name);
const optionValue = (text: string): string => clip(text, TEXT_CAPS.optionValue);
/** A protocol count: a plain non-negative integer, no larger than any lobby the engine can hold. */
const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? Math.min(Math.max(0, Math.trunc(value)), LIST_CAPS.countMax) : 0);
const fraction = (value: number): number => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
const ASSET_STATUSES: readonly LobbyAssetStatus[] = ['missing', 'downloading', 'complete'];
const assetStatus = (value: unknown, fallback: LobbyAssetStatus): LobbyAssetStatus =>
  (ASSET_STATUSES as readonly unknown[]).includes(value) ? (value as LobbyAssetStatus) : fallback;

/** Ids that are numbers in order of their value ("2" before "10"), the rest after them by text. */
export function compareIds(a: string, b: string): number {
  const na = /^\d{1,15}$/.test(a) ? Number(a) : NaN;
  const nb = /^\d{1,15}$/.test(b) ? Number(b) : NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb || (a < b ? -1 : a > b ? 1 : 0);
  if (!Number.isNaN(na)) return -1;
  if (!Number.isNaN(nb)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Applies a keyed merge patch to a record: `null` removes the entry, a value is merged with the entry it names (`merge`
 * returns null to refuse it). A record at its cap takes no new keys; the server's own limits are far below ours.
 */
function patchRecord<T, P>(current: Readonly<Rec<T>>, patch: Readonly<Rec<P | null>> | null | undefined, cap: number,
  merge: (previous: T | undefined, entry: P, key: string) => T | null, inPlace = false): Rec<T> {
  const next = inPlace ? current as Rec<T> : copyRecord(current);
  // Counted only when a new key needs room: most patches change entries the record already has.
  let counted: number | null = null;
  const size = () => (counted ??= Object.keys(next).length);
  for (const [key, entry] of entriesOf(patch)) {
    if (!isUsableKey(key)) continue;
    const had = Object.hasOwn(next, key);
    if (entry === null) {
      if (had) {
        if (counted !== null) counted--;
        delete next[key];
      }
      continue;
    }
    if (!had && size() >= cap) continue;
    const merged = merge(had ? next[key] : undefined, entry, key);
    if (merged === null) continue;
    next[key] = merged;
    if (!had && counted !== null) counted++;
  }
  return next;
}

function startBox(box: { top: number; bottom: number; left: number; right: number }): StartBoxView {
  return { top: fraction(box.top), bottom: fraction(box.bottom), left: fraction(box.left), right: fraction(box.right) };
}

const FULL_MAP: StartBoxView = { top: 0, bottom: 1, left: 0, right: 1 };

/** The ally teams, keyed by id while patched and in id order as the view shows them. */
type AllyTeamsById = Rec<{ maxTeams: number; startBox: StartBoxView; teams: Rec<number> }>;

function allyTeamsById(list: readonly AllyTeamView[]): AllyTeamsById {
  const byId: AllyTeamsById = emptyRecord();
  for (const at of list) {
    const teams = emptyRecord<number>();
    for (const team of at.teams) teams[team.id] = team.maxPlayers;
    byId[at.id] = { maxTeams: at.maxTeams, startBox: at.startBox, teams };
  }
  return byId;
}

function allyTeamList(byId: AllyTeamsById): AllyTeamView[] {
  return Object.keys(byId).sort(compareIds).map((id) => {
    const at = byId[id] as AllyTeamsById[string];
    return {
      id, maxTeams: at.maxTeams, startBox: at.startBox,
      teams: Object.keys(at.teams).sort(compareIds).map((teamId) => ({ id: teamId, maxPlayers: at.teams[teamId] as number })),
    };
  });
}

function patchAllyTeams(current: readonly AllyTeamView[], patch: Update['allyTeamConfig']): AllyTeamView[] {
  const next = patchRecord(allyTeamsById(current), patch, LIST_CAPS.allyTeams, (previous, entry) => ({
    maxTeams: entry.maxTeams !== undefined ? count(entry.maxTeams) : previous?.maxTeams ?? 1,
    startBox: entry.startBox ? startBox(entry.startBox) : previous?.startBox ?? FULL_MAP,
    teams: patchRecord(previous?.teams ?? emptyRecord<number>(), entry.teams, LIST_CAPS.teamsPerAllyTeam,
      (max, team) => (team.maxPlayers !== undefined ? count(team.maxPlayers) : max ?? 1)),
  }));
  return allyTeamList(next);
}

function voteAction(action: Readonly<LobbyVoteAction> | { readonly type: string }): LobbyVoteAction | null {
  const a = action as Record<string, unknown>;
  switch (a.type) {
    case 'start': return { type: 'start' };
    case 'changeMap': return typeof a.newMapName === 'string' ? { type: 'changeMap', newMapName: name(a.newMapName) } : null;
    case 'appointBoss': return typeof a.bossId === 'string' && isUsableId(a.bossId) ? { type: 'appointBoss', bossId: a.bossId } : null;
    case 'kickban':
      if (typeof a.userId !== 'string' || !isUsableId(a.userId)) return null;
      return typeof a.banUntil === 'number' ? { type: 'kickban', userId: a.userId, banUntil: unixTimeMs(a.banUntil) } : { type: 'kickban', userId: a.userId };
    default: return null;
  }
}

const VOTER_STATES: readonly LobbyVoterState[] = ['pending', 'yes', 'no', 'abstain'];
const VOTE_OUTCOMES: readonly LobbyVoteOutcome[] = ['passed', 'failed', 'cancelled', 'timeout'];

function voters(current: Readonly<Rec<LobbyVoterState>>, patch: Readonly<Rec<{ vote: string }>> | undefined): Rec<LobbyVoterState> {
  return patchRecord(current, patch, LIST_CAPS.lobbyMembers, (previous, entry) =>
    ((VOTER_STATES as readonly string[]).includes(entry.vote) ? (entry.vote as LobbyVoterState) : previous ?? null));
}

/** `quorum` and `majority`: declared only in `lobby/updated`, but Teiserver sends them in LobbyDetails too. */
function positiveInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? Math.min(value, LIST_CAPS.countMax) : null;
}

type VoteInput = NonNullable<Update['currentVote']>;

/** A vote as the server describes it, over the one it replaces when it is the same vote; null when a new vote lacks its action. */
function mergeVote(previous: LobbyVoteView | null, vote: VoteInput): LobbyVoteView | null {
  if (!isUsableId(vote.id)) return previous;
  const same = previous !== null && previous.id === vote.id ? previous : null;
  const action = vote.action ? voteAction(vote.action) : same?.action ?? null;
  if (!action) return same;
  const extra = vote as { quorum?: unknown; majority?: unknown };
  return {
    id: vote.id,
    action,
    initiator: typeof vote.initiator === 'string' && isUsableId(vote.initiator) ? vote.initiator : same?.initiator ?? '',
    voters: voters(same?.voters ?? emptyRecord(), vote.voters),
    until: vote.until !== undefined ? unixTimeMs(vote.until) : same?.until ?? 0,
    quorum: extra.quorum !== undefined ? positiveInt(extra.quorum) : same?.quorum ?? null,
    majority: extra.majority !== undefined ? positiveInt(extra.majority) : same?.majority ?? null,
  };
}

type VoteRecordInput = { vote: LobbyVoteAction | { type: string }; outcome: string; finishedAt: number };

/** Finished votes oldest first, one per id, the newest LOBBY_LIMITS.voteHistory kept. */
function patchVoteHistory(current: readonly LobbyVoteRecordView[], patch: Readonly<Rec<VoteRecordInput | null>> | undefined): LobbyVoteRecordView[] {
  const byId = emptyRecord<LobbyVoteRecordView>();
  for (const record of current) byId[record.id] = record;
  const next = patchRecord(byId, patch, Number.MAX_SAFE_INTEGER, (_previous, entry, id) => {
    const action = voteAction(entry.vote);
    if (!action || !(VOTE_OUTCOMES as readonly string[]).includes(entry.outcome)) return null;
    return { id, action, outcome: entry.outcome as LobbyVoteOutcome, finishedAt: unixTimeMs(entry.finishedAt) };
  });
  return boundedHistory(Object.values(next));
}

function boundedHistory(records: LobbyVoteRecordView[]): LobbyVoteRecordView[] {
  const sorted = records.sort((a, b) => a.finishedAt - b.finishedAt || compareIds(a.id, b.id));
  return sorted.length > LOBBY_LIMITS.voteHistory ? sorted.slice(sorted.length - LOBBY_LIMITS.voteHistory) : sorted;
}

type PlayerInput = NonNullable<NonNullable<Update['players']>[string]>;
type SpectatorInput = NonNullable<NonNullable<Update['spectators']>[string]>;
type BotInput = {
  hostUserId?: string; allyTeam?: string; team?: string; player?: string; name?: string | null; shortName?: string;
  version?: string | null; options?: Readonly<Rec<string | null>> | null;
};

const seat = (value: string | undefined, fallback: string): string => (value !== undefined && isUsableId(value) ? value : fallback);

function mergePlayer(previous: LobbyPlayerView | undefined, entry: PlayerInput, userId: string): LobbyPlayerView | null {
  if (!isUsableId(userId)) return null;
  return {
    userId,
    allyTeam: seat(entry.allyTeam, previous?.allyTeam ?? ''),
    team: seat(entry.team, previous?.team ?? ''),
    player: seat(entry.player, previous?.player ?? ''),
    isReady: typeof entry.isReady === 'boolean' ? entry.isReady : previous?.isReady ?? false,
    assetStatus: assetStatus(entry.assetStatus, previous?.assetStatus ?? 'missing'),
  };
}

function mergeSpectator(previous: LobbySpectatorView | undefined, entry: SpectatorInput, userId: string): LobbySpectatorView | null {
  if (!isUsableId(userId)) return null;
  const position = entry.joinQueuePosition;
  return {
    userId,
    joinQueuePosition: position === undefined ? previous?.joinQueuePosition ?? null : position === null ? null : count(position),
  };
}

/**
 * A bot over the one it replaces. In `lobby/updated` a bot always carries `version` and `options`, null when unset, so a
 * null clears them; its options map is itself a merge patch (a null option is removed).
 */
function mergeBot(previous: LobbyBotView | undefined, entry: BotInput, id: string): LobbyBotView | null {
  if (!isUsableId(id)) return null;
  const shortName = entry.shortName !== undefined ? clip(entry.shortName, TEXT_CAPS.botName) : previous?.shortName;
  if (shortName === undefined || shortName.length === 0) return null;
  const options = entry.options === null ? emptyRecord<string>()
    : patchRecord(previous?.options ?? emptyRecord<string>(), entry.options, LIST_CAPS.options, (_old, value) => optionValue(value));
  return {
    id,
    hostUserId: seat(entry.hostUserId, previous?.hostUserId ?? ''),
    allyTeam: seat(entry.allyTeam, previous?.allyTeam ?? ''),
    team: seat(entry.team, previous?.team ?? ''),
    player: seat(entry.player, previous?.player ?? ''),
    name: entry.name === undefined ? previous?.name ?? null : entry.name === null ? null : clip(entry.name, TEXT_CAPS.botName),
    shortName,
    version: entry.version === undefined ? previous?.version ?? null : entry.version === null ? null : name(entry.version),
    options,
  };
}

function gameOptions(current: Readonly<Rec<string>>, patch: Readonly<Rec<{ value: string } | null>> | undefined): Rec<string> {
  return patchRecord(current, patch, LIST_CAPS.options, (_previous, entry) => (typeof entry.value === 'string' ? optionValue(entry.value) : null));
}

function patchBosses(current: readonly string[], patch: Readonly<Rec<object | null>> | undefined): string[] {
  const byId = emptyRecord<true>();
  for (const id of current) byId[id] = true;
  return Object.keys(patchRecord(byId, patch, LIST_CAPS.lobbyMembers, () => true));
}

function battle(value: { id: string; startedAt: number } | null | undefined, previous: LobbyRoomView['battle']): LobbyRoomView['battle'] {
  if (value === undefined) return previous;
  if (value === null || !isUsableId(value.id)) return null;
  return { id: value.id, startedAt: unixTimeMs(value.startedAt) };
}

const EMPTY_ROOM: Omit<LobbyRoomView, 'id'> = {
  name: '', mapName: '', engineVersion: '', gameVersion: '', gameOptions: emptyRecord(), allyTeams: [], areBossesEnabled: false,
  bosses: [], players: emptyRecord(), spectators: emptyRecord(), bots: emptyRecord(), battle: null, vote: null, voteHistory: [],
};

/** The room from LobbyDetails (the success of `lobby/create` and `lobby/join`); null when its id is not one we can use. */
export function roomFromDetails(details: Details): LobbyRoomView | null {
  if (!isUsableId(details.id)) return null;
  const asUpdate: Update = {
    ...details,
    currentBattle: details.currentBattle ?? null,
    currentVote: details.currentVote ?? null,
    // Details give each bot's version and options only when set; as an update that is "unset".
    bots: Object.fromEntries(entriesOf(details.bots).map(([id, bot]) => [id, { ...bot, version: bot.version ?? null, options: bot.options ?? null }])),
  };
  return applyLobbyUpdate({ id: details.id, ...EMPTY_ROOM, areBossesEnabled: details.areBossesEnabled }, asUpdate);
}

/** A `lobby/updated` merge patch over the room: fields left out stay, `null` removes; an update for another lobby changes nothing. */
export function applyLobbyUpdate(room: LobbyRoomView, update: Update): LobbyRoomView {
  if (update.id !== room.id) return room;
  const bossesEnabled = (update as { areBossesEnabled?: unknown }).areBossesEnabled;
  return {
    id: room.id,
    name: update.name !== undefined ? name(update.name) : room.name,
    mapName: update.mapName !== undefined ? name(update.mapName) : room.mapName,
    engineVersion: update.engineVersion !== undefined ? name(update.engineVersion) : room.engineVersion,
    gameVersion: update.gameVersion !== undefined ? name(update.gameVersion) : room.gameVersion,
    gameOptions: update.gameOptions !== undefined ? gameOptions(room.gameOptions, update.gameOptions) : room.gameOptions,
    allyTeams: update.allyTeamConfig !== undefined ? patchAllyTeams(room.allyTeams, update.allyTeamConfig) : room.allyTeams,
    areBossesEnabled: typeof bossesEnabled === 'boolean' ? bossesEnabled : room.areBossesEnabled,
    bosses: update.bosses !== undefined ? patchBosses(room.bosses, update.bosses) : room.bosses,
    players: update.players !== undefined ? patchRecord(room.players, update.players, LIST_CAPS.lobbyMembers, mergePlayer) : room.players,
    spectators: update.spectators !== undefined ? patchRecord(room.spectators, update.spectators, LIST_CAPS.lobbyMembers, mergeSpectator) : room.spectators,
    bots: update.bots !== undefined ? patchRecord(room.bots, update.bots as Rec<BotInput | null>, LIST_CAPS.lobbyMembers, mergeBot) : room.bots,
    battle: battle(update.currentBattle, room.battle),
    vote: update.currentVote === undefined ? room.vote : update.currentVote === null ? null : mergeVote(room.vote, update.currentVote),
    voteHistory: update.voteHistory !== undefined ? patchVoteHistory(room.voteHistory, update.voteHistory as Rec<VoteRecordInput | null>) : room.voteHistory,
  };
}

/**
 * The people the room names: players, spectators, bosses and the bots' hosts. `lobby/*` carries only their ids, so the
 * client follows them (`user/subscribeUpdates`) to show their names.
 */
export function lobbyMemberIds(room: LobbyRoomView): string[] {
  const ids = new Set<string>([...Object.keys(room.players), ...Object.keys(room.spectators), ...room.bosses]);
  for (const bot of Object.values(room.bots)) ids.add(bot.hostUserId);
  return [...ids];
}

/**
 * `lobby/voteEnded`: the vote goes into the history with its outcome (the server's own record, when a `lobby/updated` brings
 * it, replaces this one: they share the id) and is no longer current.
 */
export function endVote(room: LobbyRoomView, voteId: string, outcome: LobbyVoteOutcome, now: number): { room: LobbyRoomView; ended: LobbyVoteRecordView | null } {
  const vote = room.vote;
  if (!vote || vote.id !== voteId) {
    const known = room.voteHistory.find((r) => r.id === voteId) ?? null;
    return { room, ended: known };
  }
  const ended: LobbyVoteRecordView = { id: vote.id, action: vote.action, outcome, finishedAt: now };
  return { room: { ...room, vote: null, voteHistory: boundedHistory([...room.voteHistory.filter((r) => r.id !== vote.id), ended]) }, ended };
}

// ---- the list of lobbies ----

function summary(previous: LobbySummaryView | undefined, entry: Partial<Overview> & { areBossesEnabled?: unknown }, id: string, battleChange: 'set' | 'keep'): LobbySummaryView | null {
  if (!isUsableId(id)) return null;
  const current = entry.currentBattle;
  const battleStartedAt = battleChange === 'keep' || current === undefined ? previous?.battleStartedAt ?? null
    : current === null ? null : unixTimeMs(current.startedAt);
  const bosses = typeof entry.areBossesEnabled === 'boolean' ? entry.areBossesEnabled : previous?.areBossesEnabled;
  return {
    id,
    name: typeof entry.name === 'string' ? name(entry.name) : previous?.name ?? '',
    playerCount: entry.playerCount !== undefined ? count(entry.playerCount) : previous?.playerCount ?? 0,
    maxPlayerCount: entry.maxPlayerCount !== undefined ? count(entry.maxPlayerCount) : previous?.maxPlayerCount ?? 0,
    mapName: typeof entry.mapName === 'string' ? name(entry.mapName) : previous?.mapName ?? '',
    engineVersion: typeof entry.engineVersion === 'string' ? name(entry.engineVersion) : previous?.engineVersion ?? '',
    gameVersion: typeof entry.gameVersion === 'string' ? name(entry.gameVersion) : previous?.gameVersion ?? '',
    battleStartedAt,
    ...(bosses !== undefined ? { areBossesEnabled: bosses } : {}),
  };
}

/** `lobby/listReset`: the whole list, at most LOBBY_LIMITS.lobbiesListed entries. */
export function listFromReset(lobbies: Readonly<Rec<Overview>>): Rec<LobbySummaryView> {
  return patchRecord(emptyRecord<LobbySummaryView>(), lobbies, LOBBY_LIMITS.lobbiesListed, (_previous, entry, id) => summary(undefined, entry, id, 'set'));
}

/**
 * `lobby/listUpdated`: a null entry removes the lobby, any other merges. Teiserver puts `currentBattle: null` into every entry
 * (tachyon_handler's `lobby_overview_to_tachyon` starts each one from it), so a null there ends a known battle only when the
 * entry says nothing else; a new lobby, or a `currentBattle` with a start time, is taken as it comes. `inPlace` updates
 * `entries` itself: only for a record this burst made and no one has seen yet (`LobbyStore.isDraft`).
 */
export function listWithUpdate(entries: Readonly<Rec<LobbySummaryView>>, lobbies: Readonly<Rec<OverviewUpdate | null>>, inPlace = false): Rec<LobbySummaryView> {
  return patchRecord(entries, lobbies, LOBBY_LIMITS.lobbiesListed, summaryUpdate, inPlace);
}

function summaryUpdate(previous: LobbySummaryView | undefined, entry: OverviewUpdate, id: string): LobbySummaryView | null {
  let others = false;
  for (const key in entry) if (key !== 'id' && key !== 'currentBattle' && Object.hasOwn(entry, key)) others = true;
  const battleChange = previous !== undefined && entry.currentBattle === null && others ? 'keep' : 'set';
  return summary(previous, entry, id, battleChange);
}
