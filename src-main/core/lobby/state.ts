// The lobby's state as plain readonly JSON and the patches that change it; src-main/shared/lobby-reducers.ts applies them.
import type { ConnectionPhase, VersionParity } from '../connection/status';
import type { ReplaysView } from '../../shared/replays-view';
import type { LobbiesView, LobbyRoomView, SkirmishAiView } from '../../shared/custom-lobbies-view';
import type { DownloadsView, LibraryView } from '../../shared/downloads-view';
import type { BattleUpdateView } from '../../shared/battle-fold';
import { valueSliceStart, type LobbyValueSliceName } from '../../shared/lobby-slices';

export type { BattleUpdateView, ConnectionPhase, VersionParity };
export type {
  AllyTeamView, LobbiesView, LobbyAssetStatus, LobbyBotView, LobbyPlayerView, LobbyRoomView, LobbySpectatorView, LobbySummaryView,
  LobbyVoteAction, LobbyVoteOutcome, LobbyVoteRecordView, LobbyVoterState, LobbyVoteView, SkirmishAiOptionView, SkirmishAiView, StartBoxView,
} from '../../shared/custom-lobbies-view';
export type {
  DownloadItemView, DownloadKind, DownloadsView, DownloadState, LibraryEntryView, LibraryKind, LibraryView,
} from '../../shared/downloads-view';
export type { ReplayDamagedView, ReplayEntryView, ReplayGoodView, ReplaysView, ReplayTeamView } from '../../shared/replays-view';

/** The longest chat message the protocol accepts (messaging/send, counted in characters). */
export const MESSAGE_MAX_CHARS = 512;

export type UserStatus = 'offline' | 'menu' | 'playing' | 'lobby';

export interface UserView {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly clanId: string | null;
  readonly countryCode?: string;
  readonly status: UserStatus;
  readonly rating?: number;
}

/**
 * Which revision of the protocol the server speaks, as learnt from what it sends (core/lobby/protocol-revision.ts): the
 * subprotocol is `v0.tachyon` for every revision, so the messages' shapes are all there is to go by.
 */
export type ProtocolRevision = 'unknown' | 'tachyon-1.13' | 'tachyon-newer' | 'tachyon-current';

export interface ConnectionView {
  readonly serverUrl: string;
  readonly phase: ConnectionPhase;
  readonly versionParity: VersionParity;
  readonly retryAt?: number;
  readonly retryInMs?: number;
  readonly message?: string;
  /** Learnt anew on each connection: `unknown` from the moment a connection begins until the server's messages tell. */
  readonly protocol: ProtocolRevision;
  /** The socket is open but the server holds it in its login queue (no `user/self` yet): nothing is sent until it admits us. */
  readonly loginQueue?: boolean;
}

/** What the connection itself reports; the revision is learnt later, from the session's messages (the `protocol` patch). */
export type ConnectionStatusView = Omit<ConnectionView, 'protocol'>;

export interface StatsSample {
  readonly at: number;
  readonly userCount: number;
}

export interface StatsView {
  readonly userCount: number | null;
  /** Bounded history for the user-count chart, oldest first. */
  readonly history: readonly StatsSample[];
}

export type ChatChannel =
  | { readonly type: 'player'; readonly userId: string }
  | { readonly type: 'party'; readonly partyId: string }
  | { readonly type: 'lobby'; readonly lobbyId: string };

export interface ChatLine {
  /** The server's history marker; local echoes of our own sends carry `local:<n>`. */
  readonly marker: string;
  readonly at: number;
  readonly fromUserId: string;
  readonly channel: ChatChannel;
  readonly text: string;
}

export interface PlaylistView {
  readonly id: string;
  readonly name: string;
  readonly numOfTeams: number;
  readonly teamSize: number;
  readonly ranked: boolean;
  /** The queue's version, which the current revision's `matchmaking/queue` must name; null from a 1.13.0 server. */
  readonly version: string | null;
  readonly engines: readonly string[];
  readonly games: readonly string[];
  readonly maps: readonly string[];
}

/** idle → queued → found → readied → battle; `lost` means still queued after a match fell apart, `cancelled` means out of matchmaking. */
export type MatchmakingPhase = 'idle' | 'queued' | 'found' | 'readied' | 'lost' | 'cancelled' | 'battle';
export type CancelReason = 'intentional' | 'server_error' | 'party_user_left' | 'ready_timeout' | 'version_changed';

export interface MatchmakingView {
  readonly phase: MatchmakingPhase;
  readonly playlists: readonly PlaylistView[];
  readonly queues: readonly string[];
  readonly playersQueued: number | null;
  readonly found: { readonly queueId: string; readonly timeoutMs: number; readonly deadline: number } | null;
  readonly readyCount: number;
  readonly cancelReason: CancelReason | null;
}

export interface FriendRequestView {
  readonly userId: string;
  readonly sentAt: number;
}

export interface FriendsView {
  readonly friendIds: readonly string[];
  readonly incoming: readonly FriendRequestView[];
  readonly outgoing: readonly FriendRequestView[];
}

export interface PartyView {
  readonly id: string;
  /** How many the party may hold (members and invitations); null from a 1.13.0 server, which does not say. */
  readonly maxMembers: number | null;
  readonly members: readonly { readonly userId: string; readonly joinedAt: number }[];
  readonly invited: readonly { readonly userId: string; readonly invitedAt: number }[];
}

export interface PartiesView {
  readonly current: PartyView | null;
  readonly invitations: readonly PartyView[];
}

export interface SelfView {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly status: UserStatus;
}

/** The battle the engine launches into, as the player may see it: never the password. */
export interface BattleView {
  readonly phase: 'launching' | 'running' | 'ended' | 'failed';
  readonly map: string;
  readonly game: string;
  readonly engine: string;
  readonly host: string;
  readonly message?: string;
}

export type EngineStatus = 'offline' | 'starting' | 'running' | 'stopping';

/** The local engine process as the engine panel shows it: status, stats and (separately patched) console lines. */
export interface EngineView {
  readonly status: EngineStatus;
  readonly pid: number | null;
  readonly startedAt: number | null;
  readonly cpuPercent: number | null;
  readonly rssMb: number | null;
  readonly exitCode: number | null;
  /** Player-facing explanation of the last failure (e.g. "wrong password", "map missing"). */
  readonly message?: string;
  /** Redacted console output, newest last, bounded. */
  readonly console: readonly string[];
}

export interface Notice {
  readonly at: number;
  readonly level: 'info' | 'warning' | 'error';
  readonly text: string;
}

/**
 * The slices whose patch is their whole new value (`{ slice, value }`), by name: one line here adds such a slice to
 * `LobbySnapshot` and `LobbyPatch`, and its start value in src-main/shared/lobby-slices.ts (the type below demands it)
 * gives it its place in every copy of the state, the reducers and the renderer's stores (`useSliceStore(name)`).
 */
export interface LobbyValueSlices {
  self: SelfView | null;
  matchmaking: MatchmakingView;
  friends: FriendsView;
  party: PartiesView;
  battle: BattleView | null;
  /** The demos in `<dataDir>/replays`, newest first, bounded (core/replays' ReplayLibrary). */
  replays: ReplaysView;
  /** The custom lobbies the server lists, live while the player watches the list. */
  lobbies: LobbiesView;
  /** The custom lobby the player is in; null when in none. */
  lobby: LobbyRoomView | null;
  /** The skirmish AIs the player's engine has, for bots. */
  skirmishAis: readonly SkirmishAiView[];
  /** What the lobby is fetching (queue-ready, battle/start) and what it fetched lately (core/content's download manager). */
  downloads: DownloadsView;
  /** Installed engines, games and maps with their sizes (core/content's library), listed when the Library view asks. */
  library: LibraryView;
}

/** The `{ slice, value }` patch of each slice of a table such as `LobbyValueSlices`. */
export type ValueSlicePatch<T> = { [K in keyof T]: { readonly slice: K; readonly value: T[K] } }[keyof T];

export interface LobbySnapshot extends Readonly<LobbyValueSlices> {
  readonly connection: ConnectionView;
  readonly stats: StatsView;
  readonly users: Readonly<Record<string, UserView>>;
  readonly chat: readonly ChatLine[];
  readonly engine: EngineView;
  /** Updates of battles hosted by this app's local autohost, oldest first, bounded. */
  readonly battleUpdates: readonly BattleUpdateView[];
  readonly notices: readonly Notice[];
}

/** A change to one slice: the whole value of a value slice, or the slices with patches of their own shape. */
export type LobbyPatch =
  | ValueSlicePatch<LobbyValueSlices>
  | { readonly slice: 'connection'; readonly value: ConnectionStatusView }
  | { readonly slice: 'protocol'; readonly value: ProtocolRevision }
  | { readonly slice: 'stats'; readonly userCount: number; readonly sample: StatsSample }
  | { readonly slice: 'users'; readonly upsert: readonly UserView[]; readonly remove: readonly string[] }
  | { readonly slice: 'chat'; readonly append: readonly ChatLine[] }
  | { readonly slice: 'engine'; readonly value: Omit<EngineView, 'console'> }
  | { readonly slice: 'engineConsole'; readonly append: readonly string[] }
  | { readonly slice: 'battleUpdates'; readonly append: readonly BattleUpdateView[] }
  | { readonly slice: 'notice'; readonly value: Notice };

/** The value slices' start values, checked against their types here (the shared table names no core type). */
const valueSlicesAtStart: () => LobbyValueSlices = valueSliceStart;
/** …and the table names no slice that `LobbyValueSlices` lacks. */
const _noOtherSlice: [Exclude<LobbyValueSliceName, keyof LobbyValueSlices>] extends [never] ? true : never = true;

export function initialSnapshot(serverUrl = ''): LobbySnapshot {
  return {
    ...valueSlicesAtStart(),
    connection: { serverUrl, phase: 'idle', versionParity: 'unknown', protocol: 'unknown' },
    stats: { userCount: null, history: [] },
    users: {},
    chat: [],
    engine: { status: 'offline', pid: null, startedAt: null, cpuPercent: null, rssMb: null, exitCode: null, console: [] },
    battleUpdates: [],
    notices: [],
  };
}
