// Chat as the current revision has it (Tachyon 1.20.0 onwards): a lobby's chat is a third target and source beside a player
// and the party.
import { Type } from 'typebox';
import { eventSchema, requestSchema } from './envelope';
import { HistoryMarker, LobbyId, PartyId, UserId } from './definitions';

export const MessagingSendRequest = requestSchema(
  'messaging/send',
  Type.Object({
    target: Type.Union([
      Type.Object({ type: Type.Literal('player'), userId: UserId }),
      Type.Object({ type: Type.Literal('party') }),
      Type.Object({ type: Type.Literal('lobby') }),
    ]),
    message: Type.String({ maxLength: 512 }),
  }),
);

export const MessagingReceivedEvent = eventSchema(
  'messaging/received',
  Type.Object({
    message: Type.String(),
    source: Type.Union([
      Type.Object({ type: Type.Literal('player'), userId: UserId }),
      Type.Object({ type: Type.Literal('party'), partyId: PartyId, userId: UserId }),
      Type.Object({ type: Type.Literal('lobby'), lobbyId: LobbyId, userId: UserId }),
    ]),
    timestamp: Type.Number(),
    marker: HistoryMarker,
  }),
);
