// What a shell (Electron IPC, the headless CLI, the browser test bridge) may ask the lobby to do, and the errors it gets back as data.
import type { LobbyPatch, LobbySnapshot } from './state';

/** Who a message goes to: a player, our party, or the custom lobby we are in (the server knows which one). */
export type ChatTarget = { readonly type: 'player'; readonly userId: string } | { readonly type: 'party' } | { readonly type: 'lobby' };

/** A new custom lobby: `allyTeams` sides of `teamSize` players, one team each; the server chooses engine and game. */
export interface CreateLobbyParams {
  readonly name: string;
  readonly mapName: string;
  readonly allyTeams: number;
  readonly teamSize: number;
  readonly bossesEnabled: boolean;
}

export interface AddBotParams {
  readonly allyTeam: string;
  readonly shortName: string;
  readonly version?: string;
  readonly name?: string;
  readonly options?: Readonly<Record<string, string>>;
}

/** Only the fields to change; `null` removes a version or an option. */
export interface UpdateBotParams {
  readonly botId: string;
  readonly name?: string;
  readonly version?: string | null;
  readonly options?: Readonly<Record<string, string | null>>;
}

/** Only the fields to change; a game option set to `null` is removed. */
export interface UpdateLobbyParams {
  readonly name?: string;
  readonly mapName?: string;
  readonly gameOptions?: Readonly<Record<string, string | null>>;
}

/** Custom battles (`lobby/*`): each intent is one request to the server, refused in words when it fails. */
export interface CustomLobbyIntents {
  watchLobbies(): Promise<void>;
  unwatchLobbies(): Promise<void>;
  createLobby(params: CreateLobbyParams): Promise<{ lobbyId: string }>;
  joinLobby(params: { readonly lobbyId: string }): Promise<{ lobbyId: string }>;
  leaveLobby(): Promise<void>;
  joinAllyTeam(params: { readonly allyTeam: string }): Promise<void>;
  spectateLobby(): Promise<void>;
  joinLobbyQueue(): Promise<void>;
  addBot(params: AddBotParams): Promise<{ botId: string }>;
  updateBot(params: UpdateBotParams): Promise<void>;
  removeBot(params: { readonly botId: string }): Promise<void>;
  updateLobby(params: UpdateLobbyParams): Promise<void>;
  setLobbyReady(params: { readonly isReady: boolean }): Promise<void>;
  startLobbyBattle(): Promise<void>;
  joinLobbyBattle(): Promise<void>;
  voteInLobby(params: { readonly voteId: string; readonly vote: 'yes' | 'no' | 'abstain' }): Promise<void>;
  appointBoss(params: { readonly userId: string }): Promise<void>;
  unboss(params: { readonly userId?: string }): Promise<void>;
  kickbanFromLobby(params: { readonly userId: string; readonly banMinutes?: number }): Promise<void>;
  /** Lists the player's engine's skirmish AIs again (the `skirmishAis` slice). */
  refreshSkirmishAis(): Promise<void>;
}

/** Downloads (core/content's manager) and the Library: items and entries named by the ids the core gave them. */
export interface ContentIntents {
  cancelDownload(id: string): Promise<void>;
  retryDownload(id: string): Promise<void>;
  refreshLibrary(): Promise<void>;
  deleteContent(id: string): Promise<void>;
}

export interface LobbyIntents extends CustomLobbyIntents, ContentIntents {
  queue(queues: readonly string[]): Promise<void>;
  cancelQueue(): Promise<void>;
  ready(): Promise<void>;
  refreshPlaylists(): Promise<void>;
  sendChat(target: ChatTarget, text: string): Promise<void>;
  sendFriendRequest(userId: string): Promise<void>;
  acceptFriendRequest(userId: string): Promise<void>;
  rejectFriendRequest(userId: string): Promise<void>;
  cancelFriendRequest(userId: string): Promise<void>;
  removeFriend(userId: string): Promise<void>;
  createParty(): Promise<void>;
  inviteToParty(userId: string): Promise<void>;
  cancelPartyInvite(userId: string): Promise<void>;
  kickFromParty(userId: string): Promise<void>;
  acceptPartyInvite(partyId: string): Promise<void>;
  declinePartyInvite(partyId: string): Promise<void>;
  leaveParty(): Promise<void>;
  /** Skips the backoff wait and tries to connect now. */
  reconnectNow(): Promise<void>;
  /** Engine panel intents: start, stop, restart or kill the player's engine. */
  engineStart(): Promise<void>;
  engineStop(): Promise<void>;
  engineRestart(): Promise<void>;
  engineKill(): Promise<void>;
  /** Replays: list the folder again, play a listed demo in the engine panel, move one out of the list. */
  refreshReplays(): Promise<void>;
  watchReplay(file: string): Promise<void>;
  deleteReplay(file: string): Promise<void>;
  /** Hands the replays folder's path to the shell's opener (the path stays in main: the page never sees it). */
  openReplaysFolder(open: (folder: string) => Promise<void>): Promise<void>;
}

/** Stable codes a shell can show or branch on; messages are player-facing and never contain secrets. */
export type IntentErrorCode =
  | 'not_connected'
  | 'invalid_input'
  | 'rejected' // the server answered `failed`
  | 'timeout'
  | 'not_available' // e.g. the engine panel with no engine launched yet
  | 'internal';

export class IntentError extends Error {
  constructor(readonly code: IntentErrorCode, message: string, readonly reason?: string) {
    super(message);
    this.name = 'IntentError';
  }
}

/** The core as every shell sees it. */
export interface LobbyApp {
  snapshot(): LobbySnapshot;
  onPatch(listener: (patch: LobbyPatch) => void): () => void;
  readonly intents: LobbyIntents;
  close(): Promise<void>;
}
