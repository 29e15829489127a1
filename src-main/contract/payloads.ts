// Every intent's payload, declared once with TypeBox: the declaration is the plain JSON schema main validates with (ajv,
// strict mode) and its Static type is the payload's TypeScript type, so the two cannot drift. Only main imports this
// module at run time; the preload and the renderer see its types through index.ts and never bundle TypeBox.
import { Type, type Static, type TSchema } from 'typebox';

// Bounds that keep a hostile or buggy renderer from handing main unbounded strings.
const Id = Type.String({ minLength: 1, maxLength: 128 });
const Path = Type.String({ minLength: 1, maxLength: 4096 });
/** The core decides what is too long for the server (`message_too_long`); this only caps what crosses IPC. */
export const CHAT_TEXT_MAX = 4096;
/** A profile id is `embedded` or an origin, which is at most an address's length. */
const ProfileId = Type.String({ minLength: 1, maxLength: 2048 });

/** No payload: the page sends `null` (the transports turn a missing payload into `null`). */
const None = Type.Null();
/** Payload objects are closed: a field the contract does not name (a token, say) is refused, not ignored. */
const closed = { additionalProperties: false } as const;
/** An optional field the page may also send as `null`; what `null` means is the intent's to say. */
const OptionalOrNull = <S extends TSchema>(schema: S) => Type.Optional(Type.Union([schema, Type.Null()]));

const User = Type.Object({ userId: Id }, closed);
const Party = Type.Object({ partyId: Id }, closed);
const Profile = Type.Object({ id: ProfileId }, closed);

/** Whom a chat line goes to: the core's `ChatTarget`, as plain JSON. */
export const ChatTargetPayload = Type.Union([
  Type.Object({ type: Type.Literal('player'), userId: Id }, closed),
  Type.Object({ type: Type.Literal('party') }, closed),
  Type.Object({ type: Type.Literal('lobby') }, closed),
]);

/** One schema per intent; index.ts derives the payload types (`PayloadOf`) from these. */
export const PAYLOAD_SCHEMAS = {
  snapshot: None,
  queue: Type.Object({ queues: Type.Array(Id, { minItems: 1, maxItems: 16 }) }, closed),
  cancelQueue: None,
  ready: None,
  refreshPlaylists: None,
  sendChat: Type.Object({ target: ChatTargetPayload, text: Type.String({ minLength: 1, maxLength: CHAT_TEXT_MAX }) }, closed),
  sendFriendRequest: User,
  acceptFriendRequest: User,
  rejectFriendRequest: User,
  cancelFriendRequest: User,
  removeFriend: User,
  createParty: None,
  inviteToParty: User,
  cancelPartyInvite: User,
  kickFromParty: User,
  acceptPartyInvite: Party,
  declinePartyInvite: Party,
  leaveParty: None,
  reconnectNow: None,
  engineStart: None,
  engineStop: None,
  engineRestart: None,
  engineKill: None,
  refreshReplays: None,
  /** A file name as the replays list holds it (the core looks it up in its list: never a path). */
  watchReplay: Type.Object({ file: Type.String({ minLength: 1, maxLength: 255 }) }, closed),
  deleteReplay: Type.Object({ file: Type.String({ minLength: 1, maxLength: 255 }) }, closed),
  openReplaysFolder: None,
  /** Only the fields to change: one left out (or `enginePaths: null`) stays as it is, `dataDir: null` means the app's default. */
  updateSettings: Type.Object({ enginePaths: OptionalOrNull(Type.Array(Path, { maxItems: 32 })), dataDir: OptionalOrNull(Path) }, closed),
  signIn: None,
  cancelSignIn: None,
  signOut: None,
  /** A server address (kept as its origin) and an optional label; `label: null` is the same as none. */
  addServer: Type.Object({ url: Type.String({ minLength: 1, maxLength: 2048 }), label: OptionalOrNull(Type.String({ minLength: 1, maxLength: 64 })) }, closed),
  chooseServer: Profile,
  removeServer: Profile,
};

export type PayloadSchemas = typeof PAYLOAD_SCHEMAS;
/** Each intent's payload type: the Static type of its schema. */
export type Payloads = { [N in keyof PayloadSchemas]: Static<PayloadSchemas[N]> };
