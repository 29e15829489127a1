// The current revision: what Teiserver validates against today (its vendored copy of the Tachyon schemas), for every command
// whose shape moved on from the 1.13.0 package. Each schema is declared once with TypeBox, which gives both the JSON schema
// that ajv compiles and the TypeScript type. Commands not listed here are unchanged and keep the package's validators and
// types. docs/protocol-revisions.md lists the differences command by command.
import type { Static, TSchema } from 'typebox';
import { MatchmakingCancelledEvent, MatchmakingListResponse, MatchmakingQueueRequest, MatchmakingQueueResponse } from './matchmaking';
import { MessagingReceivedEvent, MessagingSendRequest } from './messaging';
import { PartyCreateResponse, PartyInvitedEvent, PartyUpdatedEvent } from './party';
import { UserSelfEvent, type CurrentPrivateUser as CurrentPrivateUserSchema } from './user';
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
  { commandId: 'messaging/send', type: 'request', schema: MessagingSendRequest },
  { commandId: 'messaging/received', type: 'event', schema: MessagingReceivedEvent },
  { commandId: 'party/create', type: 'response', schema: PartyCreateResponse },
  { commandId: 'party/invited', type: 'event', schema: PartyInvitedEvent },
  { commandId: 'party/updated', type: 'event', schema: PartyUpdatedEvent },
  { commandId: 'user/self', type: 'event', schema: UserSelfEvent },
];

/** Commands of the 1.13.0 package that the current revision no longer has (Teiserver never sends them). */
export const REMOVED_IN_CURRENT_REVISION: readonly string[] = ['matchmaking/queueUpdate'];

/** The current revision's messages, as types. */
export type CurrentRevisionMessage =
  | Static<typeof MatchmakingListResponse>
  | Static<typeof MatchmakingQueueRequest>
  | Static<typeof MatchmakingQueueResponse>
  | Static<typeof MatchmakingCancelledEvent>
  | Static<typeof MessagingSendRequest>
  | Static<typeof MessagingReceivedEvent>
  | Static<typeof PartyCreateResponse>
  | Static<typeof PartyInvitedEvent>
  | Static<typeof PartyUpdatedEvent>
  | Static<typeof UserSelfEvent>;

export type { MatchmakingState } from './user';
export type CurrentPartyState = Static<typeof PartyState>;
export type CurrentPrivateUser = Static<typeof CurrentPrivateUserSchema>;
