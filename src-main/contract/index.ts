// The one IPC contract between main and renderer: every intent (name, payload type + schema, result), the patch feed and the snapshot.
import type { JSONSchemaType } from 'ajv';
import type { LobbyPatch, LobbySnapshot } from '../core/lobby/state';
import type { ChatTarget, IntentErrorCode } from '../core/lobby/intents';

// Only types (and a few plain constants) cross into the renderer; the renderer bundle never imports the core's runtime.
export type {
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
  LobbyPatch,
  LobbySnapshot,
  MatchmakingPhase,
  MatchmakingView,
  Notice,
  PartiesView,
  PartyView,
  PlaylistView,
  ProtocolRevision,
  SelfView,
  StatsSample,
  StatsView,
  UserStatus,
  UserView,
} from '../core/lobby/state';
export type { ChatTarget, IntentErrorCode } from '../core/lobby/intents';
export type { ConnectionPhase, VersionParity } from '../core/lobby/state';

/** What the player may change in the settings view. Nothing here may ever carry a password or token. */
export interface SettingsView {
  /** http(s) base address of the Tachyon server; null means "the embedded server on 127.0.0.1". */
  readonly serverUrl: string | null;
  /** Folders that hold installed engines (each with a spring binary). */
  readonly enginePaths: readonly string[];
  /** Where maps, games, chat markers and logs live; null means the app's default. */
  readonly dataDir: string | null;
}

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

type Mutable<T> = T extends readonly (infer U)[] ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;

/** Every intent: name → payload and result. `null` payload means the intent takes none. */
export interface IntentMap {
  snapshot: { payload: null; result: SnapshotResult };
  queue: { payload: { queues: string[] }; result: null };
  cancelQueue: { payload: null; result: null };
  ready: { payload: null; result: null };
  refreshPlaylists: { payload: null; result: null };
  sendChat: { payload: { target: Mutable<ChatTarget>; text: string }; result: null };
  sendFriendRequest: { payload: { userId: string }; result: null };
  acceptFriendRequest: { payload: { userId: string }; result: null };
  rejectFriendRequest: { payload: { userId: string }; result: null };
  cancelFriendRequest: { payload: { userId: string }; result: null };
  removeFriend: { payload: { userId: string }; result: null };
  createParty: { payload: null; result: null };
  inviteToParty: { payload: { userId: string }; result: null };
  cancelPartyInvite: { payload: { userId: string }; result: null };
  kickFromParty: { payload: { userId: string }; result: null };
  acceptPartyInvite: { payload: { partyId: string }; result: null };
  declinePartyInvite: { payload: { partyId: string }; result: null };
  leaveParty: { payload: null; result: null };
  reconnectNow: { payload: null; result: null };
  engineStart: { payload: null; result: null };
  engineStop: { payload: null; result: null };
  engineRestart: { payload: null; result: null };
  engineKill: { payload: null; result: null };
  /** Changes the given fields at once (one lobby rebuild); a field left out stays as it is, `dataDir: null` means the app's default. */
  updateSettings: { payload: { enginePaths?: string[]; dataDir?: string | null }; result: SettingsView };
  /** Starts the sign-in for the current server in the system browser; resolves once the browser was asked to open. */
  signIn: { payload: null; result: SignInStarted };
  cancelSignIn: { payload: null; result: null };
  /** Revokes where the server offers it, forgets the sign-in, then disconnects (system/disconnect). */
  signOut: { payload: null; result: { revoked: boolean } };
  /** Adds a server address (kept as its origin) and switches the lobby to it. */
  addServer: { payload: { url: string; label?: string }; result: ServersView };
  chooseServer: { payload: { id: string }; result: ServersView };
  /** Forgets a server and its sign-in; the embedded server cannot be removed. */
  removeServer: { payload: { id: string }; result: ServersView };
}

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

// Bounds that keep a hostile or buggy renderer from handing main unbounded strings.
const ID = { type: 'string', minLength: 1, maxLength: 128 } as const;
const PATH = { type: 'string', minLength: 1, maxLength: 4096 } as const;
/** The core decides what is too long for the server (`message_too_long`); this only caps what crosses IPC. */
export const CHAT_TEXT_MAX = 4096;
/** A profile id is `embedded` or an origin, which is at most an address's length. */
const PROFILE_ID = { type: 'string', minLength: 1, maxLength: 2048 } as const;
const NONE: JSONSchemaType<null> = { type: 'null', nullable: true };
const USER: JSONSchemaType<{ userId: string }> = {
  type: 'object',
  properties: { userId: ID },
  required: ['userId'],
  additionalProperties: false,
};

/** One ajv schema per intent, tied to its payload type so they cannot drift. */
export const PAYLOAD_SCHEMAS: { readonly [N in IntentName]: JSONSchemaType<PayloadOf<N>> } = {
  snapshot: NONE,
  queue: {
    type: 'object',
    properties: { queues: { type: 'array', items: ID, minItems: 1, maxItems: 16 } },
    required: ['queues'],
    additionalProperties: false,
  },
  cancelQueue: NONE,
  ready: NONE,
  refreshPlaylists: NONE,
  sendChat: {
    type: 'object',
    properties: {
      target: {
        type: 'object',
        oneOf: [
          { type: 'object', properties: { type: { type: 'string', const: 'player' }, userId: ID }, required: ['type', 'userId'], additionalProperties: false },
          { type: 'object', properties: { type: { type: 'string', const: 'party' } }, required: ['type'], additionalProperties: false },
          { type: 'object', properties: { type: { type: 'string', const: 'lobby' } }, required: ['type'], additionalProperties: false },
        ],
        required: ['type'],
      } as unknown as JSONSchemaType<Mutable<ChatTarget>>,
      text: { type: 'string', minLength: 1, maxLength: CHAT_TEXT_MAX },
    },
    required: ['target', 'text'],
    additionalProperties: false,
  },
  sendFriendRequest: USER,
  acceptFriendRequest: USER,
  rejectFriendRequest: USER,
  cancelFriendRequest: USER,
  removeFriend: USER,
  createParty: NONE,
  inviteToParty: USER,
  cancelPartyInvite: USER,
  kickFromParty: USER,
  acceptPartyInvite: { type: 'object', properties: { partyId: ID }, required: ['partyId'], additionalProperties: false },
  declinePartyInvite: { type: 'object', properties: { partyId: ID }, required: ['partyId'], additionalProperties: false },
  leaveParty: NONE,
  reconnectNow: NONE,
  engineStart: NONE,
  engineStop: NONE,
  engineRestart: NONE,
  engineKill: NONE,
  updateSettings: {
    type: 'object',
    properties: { enginePaths: { type: 'array', items: PATH, maxItems: 32, nullable: true }, dataDir: { ...PATH, nullable: true } },
    required: [],
    additionalProperties: false,
  },
  signIn: NONE,
  cancelSignIn: NONE,
  signOut: NONE,
  addServer: {
    type: 'object',
    properties: { url: { type: 'string', minLength: 1, maxLength: 2048 }, label: { type: 'string', minLength: 1, maxLength: 64, nullable: true } },
    required: ['url'],
    additionalProperties: false,
  },
  chooseServer: { type: 'object', properties: { id: PROFILE_ID }, required: ['id'], additionalProperties: false },
  removeServer: { type: 'object', properties: { id: PROFILE_ID }, required: ['id'], additionalProperties: false },
};

/** The names, for the preload's allow-list and main's dispatch. */
export const INTENT_NAMES = Object.freeze(Object.keys(PAYLOAD_SCHEMAS)) as readonly IntentName[];

export function isIntentName(name: unknown): name is IntentName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(PAYLOAD_SCHEMAS, name);
}
