// The one IPC contract between main and renderer: every intent (name, payload, result), the patch feed and the snapshot.
// The payloads' schemas (and so their types) are declared in payloads.ts.
import type { LobbyPatch, LobbySnapshot, LobbyValueSlices } from '../core/lobby/state';
import type { IntentErrorCode } from '../core/lobby/intents';
import type { Payloads } from './payloads';

// Only types (and a few plain constants) cross into the renderer; the renderer bundle never imports the core's runtime.
export type {
  AllyTeamView,
  BattleUpdateView,
  BattleView,
  CancelReason,
  ChatChannel,
  ChatLine,
  ConnectionStatusView,
  ConnectionView,
  EngineStatus,
  EngineView,
  FriendRequestView,
  FriendsView,
  LobbiesView,
  LobbyAssetStatus,
  LobbyBotView,
  LobbyPatch,
  LobbyPlayerView,
  LobbyRoomView,
  LobbySnapshot,
  LobbySpectatorView,
  LobbySummaryView,
  LobbyValueSlices,
  LobbyVoteAction,
  LobbyVoteOutcome,
  LobbyVoteRecordView,
  LobbyVoterState,
  LobbyVoteView,
  MatchmakingPhase,
  MatchmakingView,
  Notice,
  PartiesView,
  PartyView,
  PlaylistView,
  ProtocolRevision,
  ReplayDamagedView,
  ReplayEntryView,
  ReplayGoodView,
  ReplaysView,
  ReplayTeamView,
  SelfView,
  SkirmishAiOptionView,
  SkirmishAiView,
  StartBoxView,
  StatsSample,
  StatsView,
  UserStatus,
  UserView,
} from '../core/lobby/state';
export type { ChatTarget, IntentErrorCode } from '../core/lobby/intents';
// Downloads and the Library (core/content).
export type {
  DownloadItemView, DownloadKind, DownloadsView, DownloadState, LibraryEntryView, LibraryKind, LibraryView,
} from '../core/lobby/state';
export type { ConnectionPhase, VersionParity } from '../core/lobby/state';

/** What the player may change in the settings view. Nothing here may ever carry a password or token. */
export interface SettingsView {
  /** http(s) base address of the Tachyon server; null means "the embedded server on 127.0.0.1". */
  readonly serverUrl: string | null;
  /** Folders that hold installed engines (each with a spring binary). */
  readonly enginePaths: readonly string[];
  /** Where maps, games, chat markers and logs live; null means the app's default. */
  readonly dataDir: string | null;
  /** The rapid master list games are fetched through (`…/repos.gz`); null or absent means the production one. */
  readonly rapidMaster?: string | null;
  /** The files API maps and engines are fetched through (`…/find`); null or absent means the production one. */
  readonly filesApi?: string | null;
}

/** The production content addresses a null setting stands for (core/content holds the same; a test keeps them equal). */
export const DEFAULT_CONTENT_ADDRESSES = {
  rapidMaster: 'https://repos-cdn.beyondallreason.dev/repos.gz',
  filesApi: 'https://files-cdn.beyondallreason.dev/find',
} as const;

/** Where the player stands with the current server's sign-in. Never a token, code or verifier: only state and words. */
export type SessionState = 'signed_out' | 'signing_in' | 'signed_in' | 'expired';
/** The player-facing words: `auth success`, `token expiring` (a refresh started), `token expired` (sign in again). */
export type SessionEventName = 'auth success' | 'token expiring' | 'token expired';
/** Why the last sign-in attempt or session ended, as a stable code (the words are in `message`). */
export type SignInProblem = 'access_denied' | 'timeout' | 'cancelled' | 'network' | 'refused' | 'ended';

export interface SessionView {
  readonly state: SessionState;
  /** The server profile this is about (`embedded`, or the server's origin). */
  readonly server: string;
  readonly lastEvent?: SessionEventName;
  /** What happened, in words for the player (a failed sign-in, an ended session). */
  readonly message?: string;
  readonly problem?: SignInProblem;
  /** Set when sign-ins cannot be kept safely on this computer (no keyring): in words, why the next start asks again. */
  readonly storageNotice?: string;
}

/** One server the player knows: the embedded local server first, then the addresses they added. */
export interface ServerProfileView {
  /** `embedded`, or the server's origin. */
  readonly id: string;
  readonly kind: 'embedded' | 'remote';
  /** The origin; null for the embedded server (its port is chosen at each start). */
  readonly url: string | null;
  readonly label: string;
  /** A sign-in is remembered for this server. */
  readonly signedIn: boolean;
}

export interface ServersView {
  /** The profile the lobby connects to. */
  readonly current: string;
  readonly profiles: readonly ServerProfileView[];
}

/** Every slice whose patch is its whole value: the lobby's and the app's own (settings, servers, sign-in). */
export interface AppValueSlices extends LobbyValueSlices {
  settings: SettingsView;
  servers: ServersView;
  session: SessionView;
}

/** Everything the renderer needs at start: the lobby, the settings, the servers and the sign-in. */
export interface AppSnapshot extends LobbySnapshot {
  readonly settings: SettingsView;
  readonly servers: ServersView;
  readonly session: SessionView;
}

/** Patches main publishes: the core's, the settings, servers and sign-in, and a full reset when the lobby behind the window is replaced (server changed). */
export type AppPatch =
  | LobbyPatch
  | { readonly slice: 'settings'; readonly value: SettingsView }
  | { readonly slice: 'servers'; readonly value: ServersView }
  | { readonly slice: 'session'; readonly value: SessionView }
  | { readonly slice: 'reset'; readonly value: AppSnapshot };

/** The answer to `signIn`: the browser was asked to open the server's page; the rest arrives as `session` patches. */
export interface SignInStarted {
  readonly openedBrowser: true;
  readonly server: string;
}

/**
 * The patch feed carries a sequence number so the renderer can drop patches already contained in the snapshot it asked
 * for (it subscribes first, then asks: anything with `seq <= snapshot.seq` is old).
 */
export interface PatchMessage {
  readonly seq: number;
  readonly patch: AppPatch;
}

export interface SnapshotResult {
  readonly seq: number;
  readonly state: AppSnapshot;
}

/**
 * Every intent's result. Its payload is declared once in payloads.ts (one TypeBox declaration gives the schema main
 * validates with and the type below); `null` there means the intent takes none.
 */
interface IntentResults {
  snapshot: SnapshotResult;
  queue: null;
  cancelQueue: null;
  ready: null;
  refreshPlaylists: null;
  sendChat: null;
  sendFriendRequest: null;
  acceptFriendRequest: null;
  rejectFriendRequest: null;
  cancelFriendRequest: null;
  removeFriend: null;
  createParty: null;
  inviteToParty: null;
  cancelPartyInvite: null;
  kickFromParty: null;
  acceptPartyInvite: null;
  declinePartyInvite: null;
  leaveParty: null;
  reconnectNow: null;
  engineStart: null;
  engineStop: null;
  engineRestart: null;
  engineKill: null;
  refreshReplays: null;
  /** Plays the listed demo in the engine panel. */
  watchReplay: null;
  /** Moves the listed demo out of the list (into the folder's `deleted/`). */
  deleteReplay: null;
  /** Opens the replays folder in the system's file manager (the shell does it; the browser bridge cannot). */
  openReplaysFolder: null;
  /** Changes the given fields at once (one lobby rebuild) and answers with the settings now in force. */
  updateSettings: SettingsView;
  /** Starts the sign-in for the current server in the system browser; resolves once the browser was asked to open. */
  signIn: SignInStarted;
  cancelSignIn: null;
  /** Revokes where the server offers it, forgets the sign-in, then disconnects (system/disconnect). */
  signOut: { revoked: boolean };
  /** Adds a server address (kept as its origin) and switches the lobby to it. */
  addServer: ServersView;
  chooseServer: ServersView;
  /** Forgets a server and its sign-in; the embedded server cannot be removed. */
  removeServer: ServersView;
  /** Subscribes to the lobby list (the Lobbies view is open); it stays live until `unwatchLobbies` or a disconnect. */
  watchLobbies: null;
  unwatchLobbies: null;
  /** Creates a lobby and enters it; the room arrives as the `lobby` patch. */
  createLobby: { lobbyId: string };
  joinLobby: { lobbyId: string };
  leaveLobby: null;
  joinAllyTeam: null;
  spectateLobby: null;
  joinLobbyQueue: null;
  addBot: { botId: string };
  updateBot: null;
  removeBot: null;
  /** Boss (or anyone, where bosses are off): changes the lobby's name, map or game options. */
  updateLobby: null;
  setLobbyReady: null;
  startLobbyBattle: null;
  /** Joins the battle the lobby already runs (a late joiner); `battle/start` follows. */
  joinLobbyBattle: null;
  voteInLobby: null;
  appointBoss: null;
  unboss: null;
  kickbanFromLobby: null;
  /** Lists the skirmish AIs of the player's engine again (after an engine was installed, say). */
  refreshSkirmishAis: null;
  // Downloads and the Library (core/content).
  /** Stops a queued or running download (what was verified stays, so a retry fetches only the rest). */
  cancelDownload: null;
  /** Starts a failed or cancelled download again. */
  retryDownload: null;
  /** Lists installed engines, games and maps again (the `library` slice). */
  refreshLibrary: null;
  /** Deletes a Library entry the lobby installed, named by its id. */
  deleteContent: null;
}

/** Every intent: name → payload and result. A schema in payloads.ts without a result here (or the other way) does not compile. */
export type IntentMap = { [N in keyof Payloads | keyof IntentResults]: { payload: Payloads[N]; result: IntentResults[N] } };
export type IntentName = keyof IntentMap;
export type PayloadOf<N extends IntentName> = IntentMap[N]['payload'];
export type ResultOf<N extends IntentName> = IntentMap[N]['result'];
/** Lets callers omit a `null` payload: `invoke('ready')`, but `invoke('queue', { queues })`. */
export type PayloadArgs<N extends IntentName> = PayloadOf<N> extends null ? [payload?: null] : [payload: PayloadOf<N>];

/** Stable codes a result may fail with: the core's, plus those the IPC layer itself produces. */
export type IpcErrorCode = IntentErrorCode | 'unknown_intent' | 'forbidden_sender' | 'sign_in_failed';

export type IpcResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: IpcErrorCode; readonly message: string; readonly reason?: string };

/** What the preload (or the browser test bridge) puts on `window.lobby`. */
export interface LobbyBridge {
  invoke<N extends IntentName>(name: N, ...payload: PayloadArgs<N>): Promise<IpcResult<ResultOf<N>>>;
  onPatch(listener: (message: PatchMessage) => void): () => void;
}

/** Electron channel names: one for all intents, one for the patch feed. */
export const INVOKE_CHANNEL = 'lobby:invoke';
export const PATCH_CHANNEL = 'lobby:patch';

/**
 * The names at run time, for the preload's allow-list and main's dispatch. Kept apart from the schemas so the sandboxed
 * preload bundles no TypeBox; the type demands exactly the intents, no more and no fewer.
 */
const NAMES: { readonly [N in IntentName]: true } = {
  snapshot: true,
  queue: true,
  cancelQueue: true,
  ready: true,
  refreshPlaylists: true,
  sendChat: true,
  sendFriendRequest: true,
  acceptFriendRequest: true,
  rejectFriendRequest: true,
  cancelFriendRequest: true,
  removeFriend: true,
  createParty: true,
  inviteToParty: true,
  cancelPartyInvite: true,
  kickFromParty: true,
  acceptPartyInvite: true,
  declinePartyInvite: true,
  leaveParty: true,
  reconnectNow: true,
  engineStart: true,
  engineStop: true,
  engineRestart: true,
  engineKill: true,
  refreshReplays: true,
  watchReplay: true,
  deleteReplay: true,
  openReplaysFolder: true,
  watchLobbies: true,
  unwatchLobbies: true,
  createLobby: true,
  joinLobby: true,
  leaveLobby: true,
  joinAllyTeam: true,
  spectateLobby: true,
  joinLobbyQueue: true,
  addBot: true,
  updateBot: true,
  removeBot: true,
  updateLobby: true,
  setLobbyReady: true,
  startLobbyBattle: true,
  joinLobbyBattle: true,
  voteInLobby: true,
  appointBoss: true,
  unboss: true,
  kickbanFromLobby: true,
  refreshSkirmishAis: true,
  cancelDownload: true,
  retryDownload: true,
  refreshLibrary: true,
  deleteContent: true,
  updateSettings: true,
  signIn: true,
  cancelSignIn: true,
  signOut: true,
  addServer: true,
  chooseServer: true,
  removeServer: true,
};

export const INTENT_NAMES: readonly IntentName[] = Object.freeze(Object.keys(NAMES).filter(isIntentName));

export function isIntentName(name: unknown): name is IntentName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(NAMES, name);
}
