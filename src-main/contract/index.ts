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

/** Everything the renderer needs at start: the lobby and the settings. */
export interface AppSnapshot extends LobbySnapshot {
  readonly settings: SettingsView;
}

/** Patches main publishes: the core's, the settings, and a full reset when the lobby behind the window is replaced (server changed). */
export type AppPatch =
  | LobbyPatch
  | { readonly slice: 'settings'; readonly value: SettingsView }
  | { readonly slice: 'reset'; readonly value: AppSnapshot };

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
  /** No `serverUrl` means the embedded server. */
  setServerAddress: { payload: { serverUrl?: string }; result: SettingsView };
  setEnginePaths: { payload: { enginePaths: string[] }; result: SettingsView };
  /** No `dataDir` means the app's default. */
  setDataDir: { payload: { dataDir?: string }; result: SettingsView };
}

export type IntentName = keyof IntentMap;
export type PayloadOf<N extends IntentName> = IntentMap[N]['payload'];
export type ResultOf<N extends IntentName> = IntentMap[N]['result'];
/** Lets callers omit a `null` payload: `invoke('ready')`, but `invoke('queue', { queues })`. */
export type PayloadArgs<N extends IntentName> = PayloadOf<N> extends null ? [payload?: null] : [payload: PayloadOf<N>];

/** Stable codes a result may fail with: the core's, plus those the IPC layer itself produces. */
export type IpcErrorCode = IntentErrorCode | 'unknown_intent' | 'forbidden_sender';

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
  setServerAddress: {
    type: 'object',
    properties: { serverUrl: { type: 'string', minLength: 1, maxLength: 2048, nullable: true } },
    required: [],
    additionalProperties: false,
  },
  setEnginePaths: {
    type: 'object',
    properties: { enginePaths: { type: 'array', items: PATH, maxItems: 32 } },
    required: ['enginePaths'],
    additionalProperties: false,
  },
  setDataDir: {
    type: 'object',
    properties: { dataDir: { ...PATH, nullable: true } },
    required: [],
    additionalProperties: false,
  },
};

/** The names, for the preload's allow-list and main's dispatch. */
export const INTENT_NAMES = Object.freeze(Object.keys(PAYLOAD_SCHEMAS)) as readonly IntentName[];

export function isIntentName(name: unknown): name is IntentName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(PAYLOAD_SCHEMAS, name);
}
