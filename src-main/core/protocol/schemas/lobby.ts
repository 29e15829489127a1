// Custom battles (`lobby/*`), which exist only in the current revision: the 24 commands as Teiserver's vendored Tachyon
// schemas declare them, each request with the failure reasons its schema lists (the envelope adds the four common ones).
// Teiserver answers most refusals with `invalid_request` and its own reason in `details`, which those schemas allow too.
import { Type } from 'typebox';
import {
  eventSchema, requestSchema, requestSchemaWithoutData, responseSchema, responseSchemaWithoutData,
} from './envelope';
import { UnixTime, UserId } from './definitions';
import {
  AllyTeamConfig, AssetStatus, ById, GameOption, LobbyDetails, LobbyOverview, LobbyOverviewUpdate, LobbyUpdate, OrNull, Tag, Vote, VoteOutcome,
} from './lobby-details';

/** `areBossesEnabled` has no default in Teiserver's schema; the server takes a missing one as false. */
export const LobbyCreateRequest = requestSchema(
  'lobby/create',
  Type.Object({
    name: Type.String(),
    mapName: Type.String(),
    allyTeamConfig: AllyTeamConfig,
    areBossesEnabled: Type.Optional(Type.Boolean()),
    gameOptions: Type.Optional(ById(GameOption)),
    tags: Type.Optional(ById(Tag)),
  }),
);
export const LobbyCreateResponse = responseSchema('lobby/create', LobbyDetails, []);

export const LobbyJoinRequest = requestSchema('lobby/join', Type.Object({ id: Type.String() }));
/** `banned` comes with "Banned until <ISO 8601 time>" in `details`. */
export const LobbyJoinResponse = responseSchema('lobby/join', LobbyDetails, ['lobby_full', 'banned']);

export const LobbyLeaveRequest = requestSchemaWithoutData('lobby/leave');
export const LobbyLeaveResponse = responseSchemaWithoutData('lobby/leave', []);

export const LobbyJoinAllyTeamRequest = requestSchema('lobby/joinAllyTeam', Type.Object({ allyTeam: Type.String() }));
export const LobbyJoinAllyTeamResponse = responseSchemaWithoutData('lobby/joinAllyTeam', ['not_in_lobby', 'ally_team_full']);

export const LobbySpectateRequest = requestSchemaWithoutData('lobby/spectate');
export const LobbySpectateResponse = responseSchemaWithoutData('lobby/spectate', ['not_in_lobby']);

export const LobbyJoinQueueRequest = requestSchemaWithoutData('lobby/joinQueue');
export const LobbyJoinQueueResponse = responseSchemaWithoutData('lobby/joinQueue', ['not_in_lobby']);

export const LobbyAddBotRequest = requestSchema(
  'lobby/addBot',
  Type.Object({
    allyTeam: Type.String(),
    name: Type.Optional(Type.String({ maxLength: 20 })),
    shortName: Type.String({ maxLength: 20 }),
    version: Type.Optional(Type.String()),
    options: Type.Optional(ById(Type.String())),
  }),
);
export const LobbyAddBotResponse = responseSchema('lobby/addBot', Type.Object({ id: Type.String() }), ['not_in_lobby', 'ally_team_full']);

export const LobbyRemoveBotRequest = requestSchema('lobby/removeBot', Type.Object({ id: Type.String() }));
export const LobbyRemoveBotResponse = responseSchemaWithoutData('lobby/removeBot', ['not_in_lobby', 'invalid_bot']);

/** `null` clears a bot's version or one of its options. */
export const LobbyUpdateBotRequest = requestSchema(
  'lobby/updateBot',
  Type.Object({
    id: Type.String(),
    name: Type.Optional(Type.String({ maxLength: 20 })),
    shortName: Type.Optional(Type.String()),
    version: Type.Optional(OrNull(Type.String())),
    options: Type.Optional(ById(OrNull(Type.String()))),
  }),
);
export const LobbyUpdateBotResponse = responseSchemaWithoutData('lobby/updateBot', ['not_in_lobby', 'invalid_bot']);

/** A merge patch: fields left out stay, a game option or tag set to `null` is removed. `data` is required, even `{}`. */
export const LobbyUpdateRequest = requestSchema(
  'lobby/update',
  Type.Object({
    name: Type.Optional(Type.String()),
    mapName: Type.Optional(Type.String()),
    allyTeamConfig: Type.Optional(AllyTeamConfig),
    gameOptions: Type.Optional(ById(OrNull(GameOption))),
    tags: Type.Optional(ById(OrNull(Tag))),
  }),
);
export const LobbyUpdateResponse = responseSchemaWithoutData('lobby/update', []);

export const LobbyUpdateClientStatusRequest = requestSchema(
  'lobby/updateClientStatus',
  Type.Object({ isReady: Type.Optional(Type.Boolean()), assetStatus: Type.Optional(AssetStatus) }),
);
export const LobbyUpdateClientStatusResponse = responseSchemaWithoutData('lobby/updateClientStatus', ['not_in_lobby', 'not_a_player']);

export const LobbyStartBattleRequest = requestSchemaWithoutData('lobby/startBattle');
export const LobbyStartBattleResponse = responseSchemaWithoutData('lobby/startBattle', []);

export const LobbyJoinBattleRequest = requestSchemaWithoutData('lobby/joinBattle');
export const LobbyJoinBattleResponse = responseSchemaWithoutData('lobby/joinBattle', ['not_in_lobby', 'no_battle', 'battle_full']);

/** Success is followed by one `lobby/listReset`, then `lobby/listUpdated` as lobbies change. */
export const LobbySubscribeListRequest = requestSchemaWithoutData('lobby/subscribeList');
export const LobbySubscribeListResponse = responseSchemaWithoutData('lobby/subscribeList', []);

export const LobbyUnsubscribeListRequest = requestSchemaWithoutData('lobby/unsubscribeList');
export const LobbyUnsubscribeListResponse = responseSchemaWithoutData('lobby/unsubscribeList', []);

export const LobbyVoteSubmitRequest = requestSchema('lobby/voteSubmit', Type.Object({ id: Type.String(), vote: Vote }));
export const LobbyVoteSubmitResponse = responseSchemaWithoutData('lobby/voteSubmit', []);

export const LobbyAppointBossRequest = requestSchema('lobby/appointBoss', Type.Object({ userId: UserId }));
export const LobbyAppointBossResponse = responseSchemaWithoutData('lobby/appointBoss', ['bosses_not_allowed']);

/** Without `userId` the sender steps down. `data` is required, even `{}`. */
export const LobbyUnbossRequest = requestSchema('lobby/unboss', Type.Object({ userId: Type.Optional(UserId) }));
export const LobbyUnbossResponse = responseSchemaWithoutData('lobby/unboss', ['not_a_boss']);

export const LobbyKickbanRequest = requestSchema('lobby/kickban', Type.Object({ userId: UserId, banUntil: Type.Optional(UnixTime) }));
export const LobbyKickbanResponse = responseSchemaWithoutData('lobby/kickban', []);

export const LobbyUpdatedEvent = eventSchema('lobby/updated', LobbyUpdate);
export const LobbyListResetEvent = eventSchema('lobby/listReset', Type.Object({ lobbies: ById(LobbyOverview) }));
export const LobbyListUpdatedEvent = eventSchema('lobby/listUpdated', Type.Object({ lobbies: ById(OrNull(LobbyOverviewUpdate)) }));
/** `reason` is free text (`"kicked"`, or why the lobby went away); `bannedUntil` comes with a kickban. */
export const LobbyLeftEvent = eventSchema('lobby/left', Type.Object({ id: Type.String(), reason: Type.String(), bannedUntil: Type.Optional(UnixTime) }));
export const LobbyVoteEndedEvent = eventSchema('lobby/voteEnded', Type.Object({ id: Type.String(), outcome: VoteOutcome }));
