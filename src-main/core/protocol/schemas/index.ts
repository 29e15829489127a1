// The current revision: what Teiserver validates against today (its vendored copy of the Tachyon schemas), for every command
// whose shape moved on from the 1.13.0 package and every command it added (the custom battles, `lobby/*`), plus the one
// command of Tachyon 1.23.0 the embedded server sends and Teiserver does not yet (`matchmaking/checkAssets`, with the queue
// refusal `party_missing_asset`). Each schema is declared once with
// TypeBox, which gives both the JSON schema
// that ajv compiles and the TypeScript type. Commands not listed here are unchanged and keep the package's validators and
// types. docs/protocol-revisions.md lists the differences command by command.
import type { Static, TSchema } from 'typebox';
import {
  MatchmakingCancelledEvent, MatchmakingCheckAssetsRequest, MatchmakingCheckAssetsResponse, MatchmakingListResponse, MatchmakingQueueRequest, MatchmakingQueueResponse,
} from './matchmaking';
import { MessagingReceivedEvent, MessagingSendRequest } from './messaging';
import { PartyCreateResponse, PartyInvitedEvent, PartyUpdatedEvent } from './party';
import { UserSelfEvent, type CurrentPrivateUser as CurrentPrivateUserSchema } from './user';
import * as Lobby from './lobby';
import type { PartyState } from './definitions';

export type MessageType = 'request' | 'response' | 'event';

export interface MessageSchema {
  commandId: string;
  type: MessageType;
  schema: TSchema;
}

/** Every message of the current revision that differs from (or is absent in) the 1.13.0 package. */
export const CURRENT_REVISION_SCHEMAS: readonly MessageSchema[] = [
  { commandId: 'matchmaking/list', type: 'response', schema: MatchmakingListResponse },
  { commandId: 'matchmaking/queue', type: 'request', schema: MatchmakingQueueRequest },
  { commandId: 'matchmaking/queue', type: 'response', schema: MatchmakingQueueResponse },
  { commandId: 'matchmaking/cancelled', type: 'event', schema: MatchmakingCancelledEvent },
  // Tachyon 1.23.0, ahead of Teiserver's copy: the server asks whether a queue's content is on the player's disk.
  { commandId: 'matchmaking/checkAssets', type: 'request', schema: MatchmakingCheckAssetsRequest },
  { commandId: 'matchmaking/checkAssets', type: 'response', schema: MatchmakingCheckAssetsResponse },
  { commandId: 'messaging/send', type: 'request', schema: MessagingSendRequest },
  { commandId: 'messaging/received', type: 'event', schema: MessagingReceivedEvent },
  { commandId: 'party/create', type: 'response', schema: PartyCreateResponse },
  { commandId: 'party/invited', type: 'event', schema: PartyInvitedEvent },
  { commandId: 'party/updated', type: 'event', schema: PartyUpdatedEvent },
  { commandId: 'user/self', type: 'event', schema: UserSelfEvent },
  // Custom battles: only the current revision has them.
  { commandId: 'lobby/create', type: 'request', schema: Lobby.LobbyCreateRequest },
  { commandId: 'lobby/create', type: 'response', schema: Lobby.LobbyCreateResponse },
  { commandId: 'lobby/join', type: 'request', schema: Lobby.LobbyJoinRequest },
  { commandId: 'lobby/join', type: 'response', schema: Lobby.LobbyJoinResponse },
  { commandId: 'lobby/leave', type: 'request', schema: Lobby.LobbyLeaveRequest },
  { commandId: 'lobby/leave', type: 'response', schema: Lobby.LobbyLeaveResponse },
  { commandId: 'lobby/joinAllyTeam', type: 'request', schema: Lobby.LobbyJoinAllyTeamRequest },
  { commandId: 'lobby/joinAllyTeam', type: 'response', schema: Lobby.LobbyJoinAllyTeamResponse },
  { commandId: 'lobby/spectate', type: 'request', schema: Lobby.LobbySpectateRequest },
  { commandId: 'lobby/spectate', type: 'response', schema: Lobby.LobbySpectateResponse },
  { commandId: 'lobby/joinQueue', type: 'request', schema: Lobby.LobbyJoinQueueRequest },
  { commandId: 'lobby/joinQueue', type: 'response', schema: Lobby.LobbyJoinQueueResponse },
  { commandId: 'lobby/addBot', type: 'request', schema: Lobby.LobbyAddBotRequest },
  { commandId: 'lobby/addBot', type: 'response', schema: Lobby.LobbyAddBotResponse },
  { commandId: 'lobby/removeBot', type: 'request', schema: Lobby.LobbyRemoveBotRequest },
  { commandId: 'lobby/removeBot', type: 'response', schema: Lobby.LobbyRemoveBotResponse },
  { commandId: 'lobby/updateBot', type: 'request', schema: Lobby.LobbyUpdateBotRequest },
  { commandId: 'lobby/updateBot', type: 'response', schema: Lobby.LobbyUpdateBotResponse },
  { commandId: 'lobby/update', type: 'request', schema: Lobby.LobbyUpdateRequest },
  { commandId: 'lobby/update', type: 'response', schema: Lobby.LobbyUpdateResponse },
  { commandId: 'lobby/updateClientStatus', type: 'request', schema: Lobby.LobbyUpdateClientStatusRequest },
  { commandId: 'lobby/updateClientStatus', type: 'response', schema: Lobby.LobbyUpdateClientStatusResponse },
  { commandId: 'lobby/startBattle', type: 'request', schema: Lobby.LobbyStartBattleRequest },
  { commandId: 'lobby/startBattle', type: 'response', schema: Lobby.LobbyStartBattleResponse },
  { commandId: 'lobby/joinBattle', type: 'request', schema: Lobby.LobbyJoinBattleRequest },
  { commandId: 'lobby/joinBattle', type: 'response', schema: Lobby.LobbyJoinBattleResponse },
  { commandId: 'lobby/subscribeList', type: 'request', schema: Lobby.LobbySubscribeListRequest },
  { commandId: 'lobby/subscribeList', type: 'response', schema: Lobby.LobbySubscribeListResponse },
  { commandId: 'lobby/unsubscribeList', type: 'request', schema: Lobby.LobbyUnsubscribeListRequest },
  { commandId: 'lobby/unsubscribeList', type: 'response', schema: Lobby.LobbyUnsubscribeListResponse },
  { commandId: 'lobby/voteSubmit', type: 'request', schema: Lobby.LobbyVoteSubmitRequest },
  { commandId: 'lobby/voteSubmit', type: 'response', schema: Lobby.LobbyVoteSubmitResponse },
  { commandId: 'lobby/appointBoss', type: 'request', schema: Lobby.LobbyAppointBossRequest },
  { commandId: 'lobby/appointBoss', type: 'response', schema: Lobby.LobbyAppointBossResponse },
  { commandId: 'lobby/unboss', type: 'request', schema: Lobby.LobbyUnbossRequest },
  { commandId: 'lobby/unboss', type: 'response', schema: Lobby.LobbyUnbossResponse },
  { commandId: 'lobby/kickban', type: 'request', schema: Lobby.LobbyKickbanRequest },
  { commandId: 'lobby/kickban', type: 'response', schema: Lobby.LobbyKickbanResponse },
  { commandId: 'lobby/updated', type: 'event', schema: Lobby.LobbyUpdatedEvent },
  { commandId: 'lobby/listReset', type: 'event', schema: Lobby.LobbyListResetEvent },
  { commandId: 'lobby/listUpdated', type: 'event', schema: Lobby.LobbyListUpdatedEvent },
  { commandId: 'lobby/left', type: 'event', schema: Lobby.LobbyLeftEvent },
  { commandId: 'lobby/voteEnded', type: 'event', schema: Lobby.LobbyVoteEndedEvent },
];

/** Commands of the 1.13.0 package that the current revision no longer has (Teiserver never sends them). */
export const REMOVED_IN_CURRENT_REVISION: readonly string[] = ['matchmaking/queueUpdate'];

/** What current-revision.json holds: the schemas as plain JSON, and the commands removed. */
export interface CurrentRevisionFile {
  readonly schemas: readonly { readonly commandId: string; readonly type: MessageType; readonly schema: unknown }[];
  readonly removed: readonly string[];
}

export function currentRevisionFile(): CurrentRevisionFile {
  return {
    schemas: CURRENT_REVISION_SCHEMAS.map(({ commandId, type, schema }) => ({ commandId, type, schema: JSON.parse(JSON.stringify(schema)) as unknown })),
    removed: [...REMOVED_IN_CURRENT_REVISION],
  };
}

/** The current revision's messages, as types. */
export type CurrentRevisionMessage =
  | Static<typeof MatchmakingListResponse>
  | Static<typeof MatchmakingQueueRequest>
  | Static<typeof MatchmakingQueueResponse>
  | Static<typeof MatchmakingCancelledEvent>
  | Static<typeof MatchmakingCheckAssetsRequest>
  | Static<typeof MatchmakingCheckAssetsResponse>
  | Static<typeof MessagingSendRequest>
  | Static<typeof MessagingReceivedEvent>
  | Static<typeof PartyCreateResponse>
  | Static<typeof PartyInvitedEvent>
  | Static<typeof PartyUpdatedEvent>
  | Static<typeof UserSelfEvent>
  | Static<typeof Lobby.LobbyCreateRequest>
  | Static<typeof Lobby.LobbyCreateResponse>
  | Static<typeof Lobby.LobbyJoinRequest>
  | Static<typeof Lobby.LobbyJoinResponse>
  | Static<typeof Lobby.LobbyLeaveRequest>
  | Static<typeof Lobby.LobbyLeaveResponse>
  | Static<typeof Lobby.LobbyJoinAllyTeamRequest>
  | Static<typeof Lobby.LobbyJoinAllyTeamResponse>
  | Static<typeof Lobby.LobbySpectateRequest>
  | Static<typeof Lobby.LobbySpectateResponse>
  | Static<typeof Lobby.LobbyJoinQueueRequest>
  | Static<typeof Lobby.LobbyJoinQueueResponse>
  | Static<typeof Lobby.LobbyAddBotRequest>
  | Static<typeof Lobby.LobbyAddBotResponse>
  | Static<typeof Lobby.LobbyRemoveBotRequest>
  | Static<typeof Lobby.LobbyRemoveBotResponse>
  | Static<typeof Lobby.LobbyUpdateBotRequest>
  | Static<typeof Lobby.LobbyUpdateBotResponse>
  | Static<typeof Lobby.LobbyUpdateRequest>
  | Static<typeof Lobby.LobbyUpdateResponse>
  | Static<typeof Lobby.LobbyUpdateClientStatusRequest>
  | Static<typeof Lobby.LobbyUpdateClientStatusResponse>
  | Static<typeof Lobby.LobbyStartBattleRequest>
  | Static<typeof Lobby.LobbyStartBattleResponse>
  | Static<typeof Lobby.LobbyJoinBattleRequest>
  | Static<typeof Lobby.LobbyJoinBattleResponse>
  | Static<typeof Lobby.LobbySubscribeListRequest>
  | Static<typeof Lobby.LobbySubscribeListResponse>
  | Static<typeof Lobby.LobbyUnsubscribeListRequest>
  | Static<typeof Lobby.LobbyUnsubscribeListResponse>
  | Static<typeof Lobby.LobbyVoteSubmitRequest>
  | Static<typeof Lobby.LobbyVoteSubmitResponse>
  | Static<typeof Lobby.LobbyAppointBossRequest>
  | Static<typeof Lobby.LobbyAppointBossResponse>
  | Static<typeof Lobby.LobbyUnbossRequest>
  | Static<typeof Lobby.LobbyUnbossResponse>
  | Static<typeof Lobby.LobbyKickbanRequest>
  | Static<typeof Lobby.LobbyKickbanResponse>
  | Static<typeof Lobby.LobbyUpdatedEvent>
  | Static<typeof Lobby.LobbyListResetEvent>
  | Static<typeof Lobby.LobbyListUpdatedEvent>
  | Static<typeof Lobby.LobbyLeftEvent>
  | Static<typeof Lobby.LobbyVoteEndedEvent>;

export type { MatchmakingState } from './user';
export type CurrentPartyState = Static<typeof PartyState>;
export type CurrentPrivateUser = Static<typeof CurrentPrivateUserSchema>;
export type {
  AllyTeamConfig, AssetStatus, LobbyDetails, LobbyOverview, LobbyOverviewUpdate, LobbyUpdate, VoteAction, VoteOutcome,
} from './lobby-details';
