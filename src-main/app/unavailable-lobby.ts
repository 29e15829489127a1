// The lobby shown when building the real one failed (local play did not start, a folder is unusable): disconnected, it says why, and every intent answers that.
import { IntentError, type LobbyApp, type LobbyIntents } from '../core/lobby/intents';
import { initialSnapshot, type LobbySnapshot } from '../core/lobby/state';

/** Every intent, so a new one cannot be forgotten here (the type demands each key). */
const INTENTS: Record<keyof LobbyIntents, true> = {
  queue: true, cancelQueue: true, ready: true, refreshPlaylists: true, sendChat: true, sendFriendRequest: true, acceptFriendRequest: true,
  rejectFriendRequest: true, cancelFriendRequest: true, removeFriend: true, createParty: true, inviteToParty: true, cancelPartyInvite: true,
  kickFromParty: true, acceptPartyInvite: true, declinePartyInvite: true, leaveParty: true, reconnectNow: true, engineStart: true,
  engineStop: true, engineRestart: true, engineKill: true, refreshReplays: true, watchReplay: true, deleteReplay: true, openReplaysFolder: true,
  watchLobbies: true, unwatchLobbies: true, createLobby: true, joinLobby: true, leaveLobby: true, joinAllyTeam: true, spectateLobby: true,
  joinLobbyQueue: true, addBot: true, updateBot: true, removeBot: true, updateLobby: true, setLobbyReady: true, startLobbyBattle: true,
  joinLobbyBattle: true, voteInLobby: true, appointBoss: true, unboss: true, kickbanFromLobby: true, refreshSkirmishAis: true,
  // Downloads and the Library.
  cancelDownload: true, retryDownload: true, refreshLibrary: true, deleteContent: true,
};

/** Longest reason shown; a build error may quote a long path or a stack. */
const REASON_MAX = 300;

/** One printable line of an error's message: what the player reads in the window. */
export function failureWords(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is being removed
  const line = raw.split(/\r?\n/, 1)[0]!.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, ' ').trim();
  return line.length > REASON_MAX ? `${line.slice(0, REASON_MAX)}…` : line || 'unknown error';
}

export function createUnavailableLobby(serverUrl: string, reason: string, now: () => number = Date.now): LobbyApp {
  const base = initialSnapshot(serverUrl);
  const snapshot: LobbySnapshot = {
    ...base,
    connection: { ...base.connection, phase: 'closed', message: reason },
    notices: [{ at: now(), level: 'error', text: reason }],
  };
  const refuse = async (): Promise<void> => {
    throw new IntentError('not_available', reason);
  };
  const intents = Object.fromEntries(Object.keys(INTENTS).map((name) => [name, refuse])) as unknown as LobbyIntents;
  return {
    snapshot: () => snapshot,
    onPatch: () => () => {},
    intents,
    close: async () => {},
  };
}
