// Custom battles as the player sees them: the list of lobbies (`lobbies` slice), the lobby the player is in (`lobby` slice)
// and the skirmish AIs the player's engine can run as bots (`skirmishAis` slice). Plain readonly JSON, runtime-neutral.
// Times are milliseconds since the epoch (the protocol's unix seconds × 1000). Everything keyed by id is a prototype-free
// record, so an id such as `__proto__` is just an id. The protocol's shapes are in docs/protocol-revisions.md.

export type LobbyAssetStatus = 'missing' | 'downloading' | 'complete';

/** One lobby in the list (`lobby/listReset`, `lobby/listUpdated`). */
export interface LobbySummaryView {
  readonly id: string;
  readonly name: string;
  readonly playerCount: number;
  readonly maxPlayerCount: number;
  readonly mapName: string;
  readonly engineVersion: string;
  readonly gameVersion: string;
  /** When its battle started; null while none runs. */
  readonly battleStartedAt: number | null;
  /** Only when the server said (Teiserver sends it in `listUpdated`). */
  readonly areBossesEnabled?: boolean;
}

export interface LobbiesView {
  /** The list is subscribed (`lobby/subscribeList`): it is kept live while the player looks at it, and only then. */
  readonly watching: boolean;
  /** The server's `lobby/listReset` has arrived since the last subscribe, so `entries` is the whole list. */
  readonly loaded: boolean;
  readonly entries: Readonly<Record<string, LobbySummaryView>>;
}

export interface StartBoxView {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/** One ally team of the lobby: its teams, each with how many players it may hold. Ids are the server's keys ("0", "1", …). */
export interface AllyTeamView {
  readonly id: string;
  readonly maxTeams: number;
  readonly startBox: StartBoxView;
  readonly teams: readonly { readonly id: string; readonly maxPlayers: number }[];
}

export interface LobbyPlayerView {
  readonly userId: string;
  readonly allyTeam: string;
  readonly team: string;
  readonly player: string;
  readonly isReady: boolean;
  readonly assetStatus: LobbyAssetStatus;
}

export interface LobbySpectatorView {
  readonly userId: string;
  /** Place in the join queue (1 is next); null when only spectating. */
  readonly joinQueuePosition: number | null;
}

export interface LobbyBotView {
  readonly id: string;
  /** The player whose engine runs the bot. */
  readonly hostUserId: string;
  readonly allyTeam: string;
  readonly team: string;
  readonly player: string;
  readonly name: string | null;
  /** The AI's short name as the engine knows it (`NullAI`, `BARb`, …). */
  readonly shortName: string;
  readonly version: string | null;
  readonly options: Readonly<Record<string, string>>;
}

/** What a vote is about, as the protocol's `voteActions` say. */
export type LobbyVoteAction =
  | { readonly type: 'start' }
  | { readonly type: 'changeMap'; readonly newMapName: string }
  | { readonly type: 'appointBoss'; readonly bossId: string }
  | { readonly type: 'kickban'; readonly userId: string; readonly banUntil?: number };

export type LobbyVoterState = 'pending' | 'yes' | 'no' | 'abstain';
export type LobbyVoteOutcome = 'passed' | 'failed' | 'cancelled' | 'timeout';

export interface LobbyVoteView {
  readonly id: string;
  readonly action: LobbyVoteAction;
  readonly initiator: string;
  readonly voters: Readonly<Record<string, LobbyVoterState>>;
  /** When the vote times out. */
  readonly until: number;
  readonly quorum: number | null;
  readonly majority: number | null;
}

export interface LobbyVoteRecordView {
  readonly id: string;
  readonly action: LobbyVoteAction;
  readonly outcome: LobbyVoteOutcome;
  readonly finishedAt: number;
}

/** The lobby the player is in, as `lobby/create`/`lobby/join` gave it and `lobby/updated` merge-patches keep it. */
export interface LobbyRoomView {
  readonly id: string;
  readonly name: string;
  readonly mapName: string;
  /** Chosen by the server, never by the client. */
  readonly engineVersion: string;
  readonly gameVersion: string;
  readonly gameOptions: Readonly<Record<string, string>>;
  /** Ordered by id (numerically where the ids are numbers). */
  readonly allyTeams: readonly AllyTeamView[];
  readonly areBossesEnabled: boolean;
  readonly bosses: readonly string[];
  readonly players: Readonly<Record<string, LobbyPlayerView>>;
  readonly spectators: Readonly<Record<string, LobbySpectatorView>>;
  readonly bots: Readonly<Record<string, LobbyBotView>>;
  /** The battle the lobby runs now, if any. */
  readonly battle: { readonly id: string; readonly startedAt: number } | null;
  readonly vote: LobbyVoteView | null;
  /** Finished votes, oldest first, bounded. */
  readonly voteHistory: readonly LobbyVoteRecordView[];
}

/** One option an AI offers (`AIOptions.lua`), enough to show it and check a value. */
export interface SkirmishAiOptionView {
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly type: 'bool' | 'number' | 'string' | 'list';
  /** The default as the protocol carries option values: a string. */
  readonly default: string;
  /** For `list`: the keys the player may choose from. */
  readonly items?: readonly { readonly key: string; readonly name: string }[];
  /** For `number`. */
  readonly min?: number;
  readonly max?: number;
}

/** A skirmish AI installed with the player's engine (`AIInfo.lua`), which a bot in a lobby may run. */
export interface SkirmishAiView {
  readonly shortName: string;
  readonly version: string;
  readonly name: string;
  readonly description: string;
  readonly options: readonly SkirmishAiOptionView[];
  /** The installed engines that have this AI (a bot runs on the lobby's engine, so only those engines can host it). */
  readonly engineVersions?: readonly string[];
}
