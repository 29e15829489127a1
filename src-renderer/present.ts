// Words and numbers for the player: pure functions from views to text, shared by components and unit-tested without Vue.
import type {
  CancelReason, ChatChannel, ChatLine, ConnectionStatusView, IpcErrorCode, LobbyAssetStatus, LobbyVoteAction, LobbyVoteOutcome,
  LobbyVoterState, MatchmakingView, PartyView, PlaylistView, ProtocolRevision, ReplayGoodView, ServerProfileView, SessionView, UserStatus,
} from '../src-main/contract';
import type { ReplayResult } from './replay-list';
import { allyTeamLabel, type SelfPlace } from './lobby-room';
import { PROTOCOL_REVISION_LABELS } from '../src-main/shared/protocol-revision';

export type Tone = 'good' | 'busy' | 'warn' | 'bad' | 'idle';

export interface ConnectionWords {
  readonly label: string;
  readonly tone: Tone;
  readonly detail: string;
}

export function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

export function connectionWords(view: ConnectionStatusView, now: number): ConnectionWords {
  switch (view.phase) {
    case 'idle':
      return { label: 'Offline', tone: 'idle', detail: 'Not connected yet.' };
    case 'connecting':
      // The socket is open but the server has not let us in yet: its login queue, not a problem to fix.
      if (view.loginQueue) return { label: 'In the login queue…', tone: 'busy', detail: view.message ?? "Waiting in the server's login queue…" };
      return { label: 'Connecting…', tone: 'busy', detail: `Reaching ${view.serverUrl || 'the server'}.` };
    case 'connected':
      return { label: 'Connected', tone: 'good', detail: `Online at ${view.serverUrl}.` };
    case 'reconnecting': {
      const wait = view.retryAt !== undefined ? seconds(view.retryAt - now) : null;
      const when = wait === null ? 'soon' : wait === 0 ? 'now' : `in ${wait} s`;
      return { label: `Reconnecting ${when}`, tone: 'warn', detail: view.message ?? 'The connection dropped; trying again.' };
    }
    case 'incompatible':
      return { label: 'Incompatible server', tone: 'bad', detail: view.message ?? 'This server speaks another protocol version.' };
    case 'unauthorized':
      return { label: 'Sign-in needed', tone: 'bad', detail: view.message ?? 'The server did not accept our sign-in.' };
    case 'closed':
      return { label: 'Offline', tone: 'idle', detail: view.message ?? 'Disconnected.' };
    default:
      return assertNever(view.phase);
  }
}

/** Which protocol revision the server speaks, for the Server view. */
export function protocolRevisionWords(revision: ProtocolRevision): string {
  return PROTOCOL_REVISION_LABELS[revision];
}

export interface PartySize {
  /** "3 / 8": places taken (members and open invitations, as the server counts them) of the party's maximum. */
  readonly text: string;
  readonly detail: string;
  /** No room for another invitation; a 1.13.0 server does not say its maximum, so such a party is never full here. */
  readonly full: boolean;
}

export function partySize(party: PartyView): PartySize {
  const members = party.members.length;
  const invited = party.invited.length;
  const taken = members + invited;
  const who = `${members} ${members === 1 ? 'member' : 'members'}${invited ? ` and ${invited} ${invited === 1 ? 'invitation' : 'invitations'}` : ''}`;
  if (party.maxMembers === null) return { text: String(taken), detail: who, full: false };
  return { text: `${taken} / ${party.maxMembers}`, detail: `${who} of ${party.maxMembers} places`, full: taken >= party.maxMembers };
}

export function cancelReasonWords(reason: CancelReason | null): string {
  switch (reason) {
    case null:
      return 'Matchmaking stopped.';
    case 'intentional':
      return 'You left the queue.';
    case 'server_error':
      return 'The server had a problem and stopped matchmaking. Try queueing again.';
    case 'party_user_left':
      return 'A party member left, so the queue was cancelled.';
    case 'version_changed':
      return 'The queue changed on the server. Queue again to play with its new settings.';
    case 'ready_timeout':
      return 'You did not ready up in time, so you were taken out of the queue.';
    default:
      return assertNever(reason);
  }
}

/** What the play view says under the queue button. */
export function matchmakingWords(view: MatchmakingView): string {
  switch (view.phase) {
    case 'idle':
      return 'Pick a playlist and queue.';
    case 'queued':
      return view.playersQueued === null ? 'Searching for a match…' : `Searching for a match… ${view.playersQueued} in queue.`;
    case 'found':
      return 'Match found! Ready up.';
    case 'readied':
      return 'Ready. Waiting for the other players…';
    case 'lost':
      return 'The match fell through (someone did not ready). You are back in the queue.';
    case 'cancelled':
      return cancelReasonWords(view.cancelReason);
    case 'battle':
      return 'The battle is starting.';
    default:
      return assertNever(view.phase);
  }
}

/** "2 v 2 · Ranked" and "1 map" / "3 maps" for a playlist card. */
export function playlistWords(playlist: PlaylistView): { format: string; maps: string } {
  const format = Array.from({ length: playlist.numOfTeams }, () => playlist.teamSize).join(' v ');
  const maps = playlist.maps.length === 1 ? '1 map' : `${playlist.maps.length} maps`;
  return { format: `${format} · ${playlist.ranked ? 'Ranked' : 'Casual'}`, maps };
}

/** The playlist a match was found in, by its name (the queue id when the playlist is not listed). */
export function foundPlaylistName(view: MatchmakingView): string {
  const queueId = view.found?.queueId ?? '';
  return view.playlists.find((p) => p.id === queueId)?.name ?? queueId;
}

/** Players the found match needs: numOfTeams × teamSize of the playlist queued for. */
export function matchSize(view: MatchmakingView): number | null {
  const queueId = view.found?.queueId;
  const playlist = view.playlists.find((p) => p.id === queueId);
  return playlist ? playlist.numOfTeams * playlist.teamSize : null;
}

export function intentErrorWords(code: IpcErrorCode, reason?: string, message?: string): string {
  if (reason === 'message_too_long') return 'That message is too long for the server. Shorten it and send again.';
  if (reason === 'invalid_recipient') return 'That player cannot receive messages right now.';
  if (reason === 'waiting_for_login') return 'The server has not let us in yet (its login queue). Try again once you are connected.';
  switch (code) {
    case 'not_connected':
      return 'Not connected to the server right now. It will be sent once you are back — try again in a moment.';
    case 'timeout':
      return 'The server did not answer in time. Try again.';
    case 'rejected':
      return message ? `The server said no: ${message}` : 'The server refused that.';
    case 'invalid_input':
      // The core's messages are player-facing ("The message is too long: at most 512 characters.").
      return message ?? 'That input was not accepted.';
    case 'not_available':
      return message ?? 'Not available right now.';
    case 'sign_in_failed':
      // core/auth's sentences are written for the player (access denied, timed out, server unreachable).
      return message ?? 'The sign-in failed. Try again.';
    case 'unknown_intent':
    case 'forbidden_sender':
    case 'internal':
      return 'Something went wrong in the app. Its log has the details.';
    default:
      return assertNever(code);
  }
}

export interface SessionWords {
  /** One line: where the player stands with this server. */
  readonly title: string;
  /** What to do next, or what went wrong, in words. */
  readonly detail: string;
  readonly tone: Tone;
  /** Which button the panel offers. */
  readonly action: 'signIn' | 'cancel' | 'signOut' | null;
}

/** The sign-in panel's words for the current server; `name` is who the server says we are (self), when known. */
export function sessionWords(session: SessionView, profile: ServerProfileView | undefined, name: string | null): SessionWords {
  const server = profile?.label ?? session.server;
  if (profile?.kind === 'embedded') {
    return { title: 'Playing on this computer', detail: 'The local server needs no sign-in.', tone: 'good', action: null };
  }
  switch (session.state) {
    case 'signed_out':
      return {
        title: `Not signed in to ${server}`,
        detail: session.message ?? 'Sign in through the server\'s page in your browser to play here.',
        tone: session.problem && session.problem !== 'cancelled' ? 'bad' : 'idle',
        action: 'signIn',
      };
    case 'signing_in':
      // With a message it is the remembered sign-in being checked (no browser involved); without, the browser step.
      return session.message
        ? { title: 'Resuming your sign-in…', detail: session.message, tone: 'busy', action: null }
        : { title: 'Waiting for your browser…', detail: `Finish signing in to ${server} on the page that opened in your browser.`, tone: 'busy', action: 'cancel' };
    case 'signed_in':
      return {
        title: name ? `Signed in as ${name}` : `Signed in to ${server}`,
        detail: session.lastEvent === 'token expiring' ? 'Renewing your sign-in…' : `Your sign-in to ${server} is remembered on this computer.`,
        tone: 'good',
        action: 'signOut',
      };
    case 'expired':
      return { title: `Your sign-in to ${server} has ended`, detail: session.message ?? 'Sign in again to keep playing.', tone: 'warn', action: 'signIn' };
    default:
      return assertNever(session.state);
  }
}

/** The colour a user's status dot takes. */
export const STATUS_TONES: Readonly<Record<UserStatus, Tone>> = { offline: 'idle', menu: 'good', lobby: 'busy', playing: 'warn' };

export function statusWords(status: UserStatus): string {
  switch (status) {
    case 'offline':
      return 'Offline';
    case 'menu':
      return 'In menu';
    case 'lobby':
      return 'In lobby';
    case 'playing':
      return 'Playing';
    default:
      return assertNever(status);
  }
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

export function formatClock(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** A conversation's key: the party, or the other player of a direct chat (whichever side sent the line). */
export function threadKey(line: ChatLine, selfId: string | null): string {
  return threadKeyOf(line.channel, line.fromUserId, selfId);
}

export function threadKeyOf(channel: ChatChannel, fromUserId: string, selfId: string | null): string {
  if (channel.type === 'party') return 'party';
  if (channel.type === 'lobby') return `lobby:${channel.lobbyId}`;
  const peer = channel.userId === selfId ? fromUserId : channel.userId;
  return `player:${peer}`;
}

/** Points for an SVG polyline of the user count over time, scaled into width × height. */
export function chartPoints(samples: readonly { at: number; userCount: number }[], width: number, height: number): string {
  if (samples.length === 0) return '';
  const first = samples[0]!.at;
  const last = samples[samples.length - 1]!.at;
  const span = Math.max(1, last - first);
  const max = Math.max(1, ...samples.map((s) => s.userCount));
  return samples
    .map((s) => {
      const x = samples.length === 1 ? width : ((s.at - first) / span) * width;
      const y = height - (s.userCount / max) * (height - 4) - 2;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

/** A demo's start for the list: `2026-12-01 12:34` in UTC (the demo's own clock). */
export function replayDateWords(startedAt: string): string {
  return startedAt.slice(0, 16).replace('T', ' ');
}

/** Ally teams as `Alice, Bot1 vs Bob`; a team with nobody named is `—`. */
export function replayTeamsWords(entry: ReplayGoodView): string {
  if (entry.teams.length === 0) return '—';
  return entry.teams.map((t) => [...t.players, ...t.bots].join(', ') || '—').join(' vs ');
}

/** Who won: the winning teams' names, or why it is not known. */
export function replayWinnerWords(entry: ReplayGoodView): string {
  if (entry.winnersMissing) return 'not recorded';
  if (entry.winners.length === 0) return 'none';
  return entry.winners
    .map((allyTeam) => {
      const team = entry.teams.find((t) => t.allyTeam === allyTeam);
      const names = team ? [...team.players, ...team.bots].join(', ') : '';
      return names || `team ${allyTeam + 1}`;
    })
    .join(' and ');
}

export const REPLAY_RESULT_WORDS: Readonly<Record<ReplayResult, string>> = {
  won: 'won', lost: 'lost', spectator: 'watched', unknown: 'unknown', absent: '—',
};
export const REPLAY_RESULT_TONES: Readonly<Record<ReplayResult, Tone>> = {
  won: 'good', lost: 'bad', spectator: 'idle', unknown: 'idle', absent: 'idle',
};

/** A file size for the detail pane. */
export function fileSizeWords(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** What a lobby vote is about, in a sentence's start ("Start the battle", "Kick Bob"). */
export function voteActionWords(action: LobbyVoteAction, nameOf: (userId: string) => string): string {
  switch (action.type) {
    case 'start': return 'Start the battle';
    case 'changeMap': return `Change the map to ${action.newMapName}`;
    case 'appointBoss': return `Make ${nameOf(action.bossId)} boss`;
    case 'kickban':
      return action.banUntil === undefined ? `Kick ${nameOf(action.userId)}` : `Ban ${nameOf(action.userId)} until ${formatClock(action.banUntil)}`;
    default: return assertNever(action);
  }
}

export const VOTE_OUTCOME_WORDS: Readonly<Record<LobbyVoteOutcome, string>> = {
  passed: 'passed', failed: 'failed', cancelled: 'cancelled', timeout: 'timed out',
};
export const VOTE_OUTCOME_TONES: Readonly<Record<LobbyVoteOutcome, Tone>> = {
  passed: 'good', failed: 'bad', cancelled: 'idle', timeout: 'warn',
};
export const VOTER_STATE_WORDS: Readonly<Record<LobbyVoterState, string>> = {
  pending: 'not yet', yes: 'yes', no: 'no', abstain: 'abstained',
};

/** A player's map and game download, beside their name; nothing when it is all there. */
export function assetStatusWords(status: LobbyAssetStatus | string): string {
  if (status === 'missing') return 'missing content';
  if (status === 'downloading') return 'downloading';
  return '';
}

/** A lobby's battle for the list and the room: since when it runs, or that none does. */
export function lobbyBattleWords(startedAt: number | null, now: number): string {
  if (startedAt === null) return '—';
  return `running ${formatDuration(now - startedAt)}`;
}

/** Players against places, "3/8" (no maximum: just the count). */
export function lobbyPlayersWords(count: number, max: number): string {
  return max > 0 ? `${count}/${max}` : String(count);
}

/** Where the player is in the room, in a line. */
export function selfPlaceWords(place: SelfPlace): string {
  switch (place.kind) {
    case 'player': return `You play on ${allyTeamLabel(place.allyTeam)}${place.isReady ? ', ready' : ''}`;
    case 'queue': return `You are number ${place.position} in the join queue`;
    case 'spectator': return 'You are watching';
    case 'absent': return 'You are not in this lobby';
    default: return assertNever(place);
  }
}

/** Why the lobby list shows no row. */
export function lobbiesEmptyWords(connected: boolean, total: number, loaded: boolean): string {
  if (!connected) return 'Connect to see the lobbies.';
  if (total > 0) return 'No lobby matches the filter.';
  return loaded ? 'No lobbies yet. Create one below.' : 'Waiting for the list…';
}
