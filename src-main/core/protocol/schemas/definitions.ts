// Shared pieces of the current revision's schemas (the Tachyon protocol's `definitions/` folder, as Teiserver vendors it).
import { Type } from 'typebox';

export const UserId = Type.String();
export const PartyId = Type.String();
export const LobbyId = Type.String();
/** The protocol says microseconds; Teiserver sends friend timestamps in seconds (see docs/protocol-revisions.md). */
export const UnixTime = Type.Integer();
export const HistoryMarker = Type.String();

/** A queue as the current revision names it: its id and the version of its definition the client saw in `matchmaking/list`. */
export const QueueRef = Type.Object({ id: Type.String(), version: Type.String() });

/** `definitions/partyState.json`: `maxMembers` is required since Tachyon 1.21.0. */
export const PartyState = Type.Object({
  id: PartyId,
  members: Type.Array(Type.Object({ userId: UserId, joinedAt: UnixTime })),
  maxMembers: Type.Integer({ minimum: 1 }),
  invited: Type.Array(Type.Object({ userId: UserId, invitedAt: UnixTime })),
});

export const UserStatus = Type.Union([Type.Literal('offline'), Type.Literal('menu'), Type.Literal('playing'), Type.Literal('lobby')]);
export const Role = Type.Union([
  Type.Literal('contributor'), Type.Literal('admin'), Type.Literal('moderator'), Type.Literal('tournament_winner'), Type.Literal('tournament_caster'),
]);

/** `definitions/privateBattle.json` as Teiserver keeps it (`ip` a plain string, not a uuid). */
export const PrivateBattle = Type.Object({
  username: Type.String(),
  password: Type.String(),
  ip: Type.String(),
  port: Type.Number(),
  engine: Type.Object({ version: Type.String() }),
  game: Type.Object({ springName: Type.String() }),
  map: Type.Object({ springName: Type.String() }),
});
