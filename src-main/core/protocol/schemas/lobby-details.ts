// The shared pieces of the custom-battle (`lobby/*`) commands as Teiserver's vendored Tachyon schemas declare them
// (`definitions/lobbyDetails.json`, `lobbyOverview.json`, `allyTeamConfig.json`, `startBox.json`, `voteActions.json`,
// `voteOutcomes.json`), plus the partial, nullable shapes of the `lobby/updated` and `lobby/listUpdated` events. Everything
// keyed by id (players, bots, ally teams, options) is an object keyed by that id, never an array.
import { Type, type Static, type TSchema } from 'typebox';
import { UnixTime, UserId } from './definitions';

/** Keyed by id: the schemas' `patternProperties: {"^.*$": …}`. */
export const ById = <T extends TSchema>(value: T) => Type.Record(Type.String(), value);
export const OrNull = <T extends TSchema>(value: T) => Type.Union([value, Type.Null()]);

/** Fractions of the map, 0 to 1. */
export const StartBox = Type.Object({
  top: Type.Number({ minimum: 0, maximum: 1 }),
  bottom: Type.Number({ minimum: 0, maximum: 1 }),
  left: Type.Number({ minimum: 0, maximum: 1 }),
  right: Type.Number({ minimum: 0, maximum: 1 }),
});

/** What a client sends (`lobby/create`, `lobby/update`): one entry per ally team, in order. */
export const AllyTeamConfig = Type.Array(
  Type.Object({
    maxTeams: Type.Integer({ minimum: 1 }),
    startBox: StartBox,
    teams: Type.Array(Type.Object({ maxPlayers: Type.Integer({ minimum: 1 }) })),
  }),
);

export const AssetStatus = Type.Union([Type.Literal('missing'), Type.Literal('downloading'), Type.Literal('complete')]);

/**
 * What a vote is about. Teiserver's own `voteActions.json` lists only `start`, `changeMap` and `appointBoss`, but the real
 * server sends a `kickban` vote (Teiserver's tachyon_handler, `vote_action_to_tachyon`, when a lobby has no boss and more
 * than one player), so it is accepted here as the Tachyon protocol's schema (master) declares it.
 */
export const VoteAction = Type.Union([
  Type.Object({ type: Type.Literal('start') }),
  Type.Object({ type: Type.Literal('changeMap'), newMapName: Type.String() }),
  Type.Object({ type: Type.Literal('appointBoss'), bossId: UserId }),
  Type.Object({ type: Type.Literal('kickban'), userId: UserId, banUntil: Type.Optional(UnixTime) }),
]);

export const VoteOutcome = Type.Union([Type.Literal('passed'), Type.Literal('failed'), Type.Literal('cancelled'), Type.Literal('timeout')]);
export const Vote = Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('abstain')]);
const VoterState = Type.Object({ vote: Type.Union([Type.Literal('pending'), Vote]) });

export const GameOption = Type.Object({ value: Type.String() });
/** A tag carries no value yet: its key is the tag. */
export const Tag = Type.Object({});
const PlayerSeat = Type.Object({
  id: UserId,
  allyTeam: Type.String(),
  team: Type.String(),
  player: Type.String(),
  isReady: Type.Boolean(),
  assetStatus: AssetStatus,
});
const VoteRecord = Type.Object({ vote: VoteAction, outcome: VoteOutcome, finishedAt: UnixTime });

/**
 * The full state of a lobby: the success of `lobby/create` and `lobby/join`. The server chooses engine and game. Teiserver
 * also sends the lobby's `tags` here, undeclared.
 */
export const LobbyDetails = Type.Object({
  id: Type.String(),
  name: Type.String(),
  mapName: Type.String(),
  engineVersion: Type.String(),
  gameVersion: Type.String(),
  gameOptions: ById(GameOption),
  allyTeamConfig: ById(
    Type.Object({ startBox: StartBox, maxTeams: Type.Integer({ minimum: 1 }), teams: ById(Type.Object({ maxPlayers: Type.Integer({ minimum: 1 }) })) }),
  ),
  areBossesEnabled: Type.Boolean(),
  bosses: ById(Type.Object({})),
  players: ById(PlayerSeat),
  spectators: ById(Type.Object({ id: UserId, joinQueuePosition: Type.Optional(Type.Number()) })),
  bots: ById(
    Type.Object({
      id: Type.String(),
      hostUserId: UserId,
      allyTeam: Type.String(),
      team: Type.String(),
      player: Type.String(),
      name: Type.Optional(Type.String({ maxLength: 20 })),
      shortName: Type.String({ maxLength: 20 }),
      version: Type.Optional(Type.String()),
      options: Type.Optional(ById(Type.String())),
    }),
  ),
  currentBattle: Type.Optional(Type.Object({ id: Type.String(), startedAt: UnixTime })),
  // Teiserver also sends `quorum` and `majority` here, undeclared (only `lobby/updated` declares them).
  currentVote: Type.Optional(Type.Object({ id: Type.String(), action: VoteAction, initiator: UserId, voters: ById(VoterState), until: UnixTime })),
  voteHistory: Type.Optional(ById(VoteRecord)),
});

/**
 * `lobby/updated`: only what changed, keyed like LobbyDetails, where `null` means "removed". A bot entry always carries
 * `version` and `options` (null when unset), so a client can tell "cleared" from "unchanged".
 */
export const LobbyUpdate = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  mapName: Type.Optional(Type.String()),
  engineVersion: Type.Optional(Type.String()),
  gameVersion: Type.Optional(Type.String()),
  gameOptions: Type.Optional(ById(OrNull(GameOption))),
  tags: Type.Optional(ById(OrNull(Tag))),
  allyTeamConfig: Type.Optional(
    ById(
      OrNull(
        Type.Object({
          startBox: Type.Optional(StartBox),
          maxTeams: Type.Optional(Type.Integer({ minimum: 1 })),
          teams: ById(OrNull(Type.Object({ maxPlayers: Type.Optional(Type.Integer({ minimum: 1 })) }))),
        }),
      ),
    ),
  ),
  bosses: Type.Optional(ById(OrNull(Type.Object({})))),
  players: Type.Optional(
    ById(
      OrNull(
        Type.Object({
          id: UserId,
          allyTeam: Type.Optional(Type.String()),
          team: Type.Optional(Type.String()),
          player: Type.Optional(Type.String()),
          isReady: Type.Optional(Type.Boolean()),
          assetStatus: Type.Optional(AssetStatus),
        }),
      ),
    ),
  ),
  spectators: Type.Optional(ById(OrNull(Type.Object({ id: UserId, joinQueuePosition: Type.Optional(OrNull(Type.Number())) })))),
  bots: Type.Optional(
    ById(
      OrNull(
        Type.Object({
          id: Type.String(),
          hostUserId: Type.Optional(UserId),
          allyTeam: Type.Optional(Type.String()),
          team: Type.Optional(Type.String()),
          player: Type.Optional(Type.String()),
          name: Type.Optional(OrNull(Type.String())),
          shortName: Type.Optional(Type.String()),
          version: OrNull(Type.String()),
          options: OrNull(ById(OrNull(Type.String()))),
        }),
      ),
    ),
  ),
  currentBattle: Type.Optional(OrNull(Type.Object({ id: Type.String(), startedAt: UnixTime }))),
  currentVote: Type.Optional(
    OrNull(
      Type.Object({
        id: Type.String(),
        action: Type.Optional(VoteAction),
        initiator: Type.Optional(UserId),
        voters: Type.Optional(ById(VoterState)),
        until: Type.Optional(UnixTime),
        quorum: Type.Optional(Type.Integer({ minimum: 1 })),
        majority: Type.Optional(Type.Integer({ minimum: 1 })),
      }),
    ),
  ),
  voteHistory: Type.Optional(ById(OrNull(VoteRecord))),
});

const CurrentBattleOverview = OrNull(Type.Object({ startedAt: UnixTime }));

/** One lobby in the list (`lobby/listReset`). Teiserver also sends `areBossesEnabled` and `tags`, undeclared. */
export const LobbyOverview = Type.Object({
  id: Type.String(),
  name: Type.String(),
  playerCount: Type.Integer(),
  maxPlayerCount: Type.Integer(),
  mapName: Type.String(),
  engineVersion: Type.String(),
  gameVersion: Type.String(),
  currentBattle: CurrentBattleOverview,
});

/** One lobby's change in `lobby/listUpdated`; the whole entry is `null` when the lobby is gone. */
export const LobbyOverviewUpdate = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  playerCount: Type.Optional(Type.Integer()),
  maxPlayerCount: Type.Optional(Type.Integer()),
  mapName: Type.Optional(Type.String()),
  engineVersion: Type.Optional(Type.String()),
  gameVersion: Type.Optional(Type.String()),
  areBossesEnabled: Type.Optional(Type.Boolean()),
  currentBattle: Type.Optional(CurrentBattleOverview),
  tags: Type.Optional(ById(OrNull(Tag))),
});

export type LobbyDetails = Static<typeof LobbyDetails>;
export type LobbyUpdate = Static<typeof LobbyUpdate>;
export type LobbyOverview = Static<typeof LobbyOverview>;
export type LobbyOverviewUpdate = Static<typeof LobbyOverviewUpdate>;
export type VoteAction = Static<typeof VoteAction>;
export type VoteOutcome = Static<typeof VoteOutcome>;
export type AssetStatus = Static<typeof AssetStatus>;
export type AllyTeamConfig = Static<typeof AllyTeamConfig>;
