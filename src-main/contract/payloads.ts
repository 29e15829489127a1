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

/** Bounds of a custom lobby as the page may ask for one (the protocol's own limits are looser). */
export const LOBBY_LIMITS_IPC = { name: 64, mapName: 256, allyTeams: 16, teamSize: 16, botName: 20, options: 64, optionValue: 512 } as const;
const LobbyName = Type.String({ minLength: 1, maxLength: LOBBY_LIMITS_IPC.name });
const MapName = Type.String({ minLength: 1, maxLength: LOBBY_LIMITS_IPC.mapName });
/** An ally team's id as the lobby room lists it ("0", "1", …). */
const AllyTeamId = Type.String({ minLength: 1, maxLength: 16 });
const OptionKey = Type.String({ minLength: 1, maxLength: 128 });
const OptionValue = Type.String({ maxLength: LOBBY_LIMITS_IPC.optionValue });
const BotOptions = Type.Record(OptionKey, OptionValue, { maxProperties: LOBBY_LIMITS_IPC.options });
const BotName = Type.String({ minLength: 1, maxLength: LOBBY_LIMITS_IPC.botName });

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
  updateSettings: Type.Object(
    {
      enginePaths: OptionalOrNull(Type.Array(Path, { maxItems: 32 })),
      dataDir: OptionalOrNull(Path),
      // Content addresses: `null` means the production one.
      rapidMaster: OptionalOrNull(Type.String({ minLength: 1, maxLength: 2048 })),
      filesApi: OptionalOrNull(Type.String({ minLength: 1, maxLength: 2048 })),
    },
    closed,
  ),
  signIn: None,
  cancelSignIn: None,
  signOut: None,
  /** A server address (kept as its origin) and an optional label; `label: null` is the same as none. */
  addServer: Type.Object({ url: Type.String({ minLength: 1, maxLength: 2048 }), label: OptionalOrNull(Type.String({ minLength: 1, maxLength: 64 })) }, closed),
  chooseServer: Profile,
  removeServer: Profile,
  watchLobbies: None,
  unwatchLobbies: None,
  /**
   * A lobby of `allyTeams` sides with `teamSize` players each (one team per player, as Beyond All Reason plays); the core
   * turns it into the protocol's ally-team config with start boxes. The server chooses engine and game.
   */
  createLobby: Type.Object(
    {
      name: LobbyName,
      mapName: MapName,
      allyTeams: Type.Integer({ minimum: 1, maximum: LOBBY_LIMITS_IPC.allyTeams }),
      teamSize: Type.Integer({ minimum: 1, maximum: LOBBY_LIMITS_IPC.teamSize }),
      bossesEnabled: Type.Boolean(),
    },
    closed,
  ),
  joinLobby: Type.Object({ lobbyId: Id }, closed),
  leaveLobby: None,
  joinAllyTeam: Type.Object({ allyTeam: AllyTeamId }, closed),
  spectateLobby: None,
  joinLobbyQueue: None,
  /** A bot on the given ally team, run by the player's own engine; `shortName` names one of the `skirmishAis`. */
  addBot: Type.Object(
    {
      allyTeam: AllyTeamId,
      shortName: BotName,
      version: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      name: Type.Optional(BotName),
      options: Type.Optional(BotOptions),
    },
    closed,
  ),
  /** Only the fields to change; an option set to `null` is removed. */
  updateBot: Type.Object(
    {
      botId: Id,
      name: Type.Optional(BotName),
      version: OptionalOrNull(Type.String({ minLength: 1, maxLength: 64 })),
      options: Type.Optional(Type.Record(OptionKey, Type.Union([OptionValue, Type.Null()]), { maxProperties: LOBBY_LIMITS_IPC.options })),
    },
    closed,
  ),
  removeBot: Type.Object({ botId: Id }, closed),
  /** Only the fields to change; a game option set to `null` is removed. */
  updateLobby: Type.Object(
    {
      name: Type.Optional(LobbyName),
      mapName: Type.Optional(MapName),
      gameOptions: Type.Optional(Type.Record(OptionKey, Type.Union([OptionValue, Type.Null()]), { maxProperties: LOBBY_LIMITS_IPC.options })),
    },
    closed,
  ),
  setLobbyReady: Type.Object({ isReady: Type.Boolean() }, closed),
  startLobbyBattle: None,
  joinLobbyBattle: None,
  voteInLobby: Type.Object({ voteId: Id, vote: Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('abstain')]) }, closed),
  appointBoss: User,
  /** Without `userId` the player steps down. */
  unboss: Type.Object({ userId: Type.Optional(Id) }, closed),
  /** Kicks the player out; with `banMinutes` they may not come back for that long. */
  kickbanFromLobby: Type.Object({ userId: Id, banMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 525_600 })) }, closed),
  refreshSkirmishAis: None,
  // Downloads and the Library: ids the core made (`d12`, `map:3`), never names or paths.
  cancelDownload: Type.Object({ id: Type.String({ pattern: '^d[0-9]{1,12}$', maxLength: 13 }) }, closed),
  retryDownload: Type.Object({ id: Type.String({ pattern: '^d[0-9]{1,12}$', maxLength: 13 }) }, closed),
  refreshLibrary: None,
  deleteContent: Type.Object({ id: Type.String({ pattern: '^(engine|game|map):[0-9]{1,6}$', maxLength: 13 }) }, closed),
};

export type PayloadSchemas = typeof PAYLOAD_SCHEMAS;
/** Each intent's payload type: the Static type of its schema. */
export type Payloads = { [N in keyof PayloadSchemas]: Static<PayloadSchemas[N]> };

/** What `npm run schemas` writes to payload-schemas.json: each intent's schema as plain JSON, in the order declared. */
export function payloadSchemasFile(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(PAYLOAD_SCHEMAS)) as Record<string, unknown>;
}
