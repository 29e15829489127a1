// `user/self` as Teiserver enforces it: the 1.13.0 private user plus `currentLobby` (Tachyon 1.14.0), `clanInvites` (1.18.0),
// `maxMembers` in every party (1.21.0) and Teiserver's required `matchmaking` state, which is how a client that reconnects
// learns it is still queued or in a found match. Teiserver keeps `clanId` (it never adopted 1.18.0's `clanBaseData`).
import { Type, type Static } from 'typebox';
import { eventSchema } from './envelope';
import { LobbyId, PartyState, PrivateBattle, QueueRef, Role, UnixTime, UserId, UserStatus } from './definitions';

export const MatchmakingState = Type.Union([
  Type.Object({ state: Type.Literal('no_matchmaking') }),
  Type.Object({ state: Type.Literal('queuing'), queues: Type.Array(QueueRef, { minItems: 1 }) }),
  Type.Object({
    state: Type.Literal('found'),
    queue: Type.Object({ id: Type.String(), version: Type.String(), timeoutAt: UnixTime, hasAlreadyReadied: Type.Boolean() }),
    otherQueues: Type.Array(QueueRef),
  }),
]);
export type MatchmakingState = Static<typeof MatchmakingState>;

export const CurrentPrivateUser = Type.Object({
  userId: UserId,
  username: Type.String(),
  displayName: Type.String(),
  clanId: Type.Union([Type.String(), Type.Null()]),
  countryCode: Type.Optional(Type.String()),
  status: UserStatus,
  rating: Type.Optional(Type.Object({ value: Type.Number() })),
  roles: Type.Optional(Type.Array(Role, { uniqueItems: true })),
  party: Type.Union([PartyState, Type.Null()]),
  invitedToParties: Type.Array(PartyState),
  friendIds: Type.Array(Type.String()),
  outgoingFriendRequest: Type.Array(Type.Object({ to: UserId, sentAt: UnixTime })),
  incomingFriendRequest: Type.Array(Type.Object({ from: UserId, sentAt: UnixTime })),
  ignoreIds: Type.Array(Type.String()),
  currentBattle: Type.Optional(PrivateBattle),
  currentLobby: Type.Union([LobbyId, Type.Null()]),
  clanInvites: Type.Array(Type.String()),
  matchmaking: MatchmakingState,
});

export const UserSelfEvent = eventSchema('user/self', Type.Object({ user: CurrentPrivateUser }));
