// What a shell (Electron IPC, the headless CLI, the browser test bridge) may ask the lobby to do, and the errors it gets back as data.
import type { LobbyPatch, LobbySnapshot } from './state';

/** Who a message goes to: a player, our party, or the custom lobby we are in (the server knows which one). */
export type ChatTarget = { readonly type: 'player'; readonly userId: string } | { readonly type: 'party' } | { readonly type: 'lobby' };

export interface LobbyIntents {
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
