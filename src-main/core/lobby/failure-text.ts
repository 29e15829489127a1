// What the player reads when a request fails or the server cancels a match: stable codes, plain words, and the server's own
// details (clipped to one line) where it gave any.
import { RequestAbortedError, RequestFailedError, type RequestAbortCause } from '../protocol/endpoint';
import { assertNever } from '../../shared/assert-never';
import { IntentError } from './intents';
import type { CancelReason, LobbyVoteAction, LobbyVoteOutcome, PlaylistView } from './state';

const FAILURE_TEXT: Record<string, string> = {
  message_too_long: 'The message is too long for the server.',
  invalid_target: 'That player, party or lobby cannot receive messages (you may have left the party or lobby).',
  already_queued: 'You are already in a queue.',
  already_in_battle: 'You are already in a battle.',
  invalid_queue_specified: 'That playlist does not exist on this server.',
  party_missing_asset: 'Not queued: someone in your party does not have everything the playlist needs.',
  not_queued: 'You are not in a queue.',
  no_match: 'There is no match to ready up for any more.',
  invalid_user: 'No such player.',
  already_in_friendlist: 'You are already friends.',
  outgoing_capacity_reached: 'You have too many pending friend requests.',
  incoming_capacity_reached: 'That player has too many pending friend requests.',
  no_pending_request: 'There is no such friend request.',
  not_in_friendlist: 'That player is not your friend.',
  not_in_party: 'You are not in a party.',
  invalid_invite: 'There is no such invitation.',
  unknown_user: 'No such player.',
  subscription_limit_reached: 'Too many players watched at once.',
  unauthorized: 'You are not allowed to do that.',
  invalid_request: 'The server did not accept the request.',
  internal_error: 'The server had a problem; try again.',
  lobby_full: 'That lobby is full.',
  banned: 'You are banned from that lobby.',
  not_in_lobby: 'You are not in a lobby.',
  ally_team_full: 'That team is full.',
  invalid_bot: 'There is no such bot in the lobby.',
  no_battle: 'The lobby has no battle running.',
  battle_full: 'The battle is full.',
  bosses_not_allowed: 'This lobby has no bosses.',
  not_a_boss: 'Only a boss can do that.',
  not_a_player: 'Only a player on a team can do that; you are spectating.',
};

/**
 * Teiserver refuses most `lobby/*` requests with `invalid_request` and the lobby's reason in `details` (Teiserver's
 * `TachyonLobby.Lobby` and `tachyon_handler.ex`; `lobby/kickban` passes it through `inspect`, as `:not_in_lobby`): these say
 * what the reason means; any other details are shown as they came.
 */
const LOBBY_DETAILS_TEXT: Record<string, string> = {
  already_in_lobby: 'You are already in a lobby; leave it first.',
  invalid_lobby: 'That lobby does not exist any more.',
  not_in_lobby: 'You are not in that lobby (any more).',
  lobby_full: 'That lobby is full.',
  ally_team_full: 'That team is full.',
  invalid_ally_team: 'That team does not exist in this lobby.',
  'Invalid ally team': 'That team does not exist in this lobby.',
  invalid_bot_id: 'There is no such bot in the lobby.',
  invalid_player: 'That player is not in the lobby.',
  invalid_vote: 'That vote is over, or you cannot vote in it.',
  vote_in_progress: 'Another vote is under way; wait for it to end.',
  no_boss_allowed: 'This lobby has no bosses.',
  not_a_boss: 'Only a boss can do that.',
  not_boss: 'Only a boss can do that.',
  not_a_player: 'Only a player on a team can do that; you are spectating.',
  battle_already_started: 'The battle has already started.',
  invalid_battle: 'The lobby has no battle running.',
  no_autohost: 'The server has no host free to run the battle; try again later.',
  no_engine_version_found: 'The server has no engine set up for custom battles.',
  no_game_version_found: 'The server has no game set up for custom battles.',
  'Only players can change the map': 'Only a player on a team can change the map.',
  'Cannot update lobby: you are not a boss': 'Only a boss can change the lobby.',
  invalid_request: 'The server did not accept the request.',
};

/** `lobby/kickban` answers a player who is not the boss with a bare `invalid_request` (Teiserver's tachyon_handler). */
const LOBBY_BARE_TEXT: Record<string, string> = {
  'lobby/kickban': 'Only a boss can kick or ban (or the player is not in the lobby).',
};

/**
 * Teiserver refuses every `party/*` request with `invalid_request` and its party server's reason in `details` (Teiserver's
 * `Teiserver.Party.Server`): these say what the reason means; any other details are shown as they came.
 */
const PARTY_DETAILS_TEXT: Record<string, string> = {
  party_at_capacity: 'The party is full.',
  already_invited: 'That player is already in the party or invited to it.',
  party_in_matchmaking: 'The party is in a queue; leave the queue to change who is in it.',
  invalid_party: 'That party does not exist any more.',
  not_invited: 'There is no such invitation (it may have run out).',
  not_a_member: 'You are not a member of that party.',
  not_in_party: 'You are not in a party.',
  invalid_target: 'That player is not in your party.',
  already_in_party: 'You are already in a party.',
};

/** What the player reads while the server holds the socket in its login queue (it answers every request "waiting for login"). */
export const LOGIN_QUEUE_TEXT = "Waiting in the server's login queue…";

/** Teiserver's answer (`invalid_request` with these details) to any request sent before it admitted the session. */
const WAITING_FOR_LOGIN = 'waiting for login';

export function isWaitingForLogin(error: unknown): boolean {
  return error instanceof RequestFailedError && error.reason === 'invalid_request' && error.details?.trim().toLowerCase() === WAITING_FOR_LOGIN;
}

/** Features in words, by command and then by namespace, for servers that answer `command_unimplemented`. */
const FEATURE_BY_COMMAND: Record<string, string> = {
  'user/report': 'reporting players',
  'user/info': 'looking up players',
  'user/subscribeUpdates': "following other players' status",
  'user/unsubscribeUpdates': "following other players' status",
  'system/serverStats': 'server statistics',
  'messaging/subscribeReceived': 'chat history',
};
const FEATURE_BY_NAMESPACE: Record<string, string> = {
  matchmaking: 'matchmaking',
  messaging: 'chat',
  friend: 'friends',
  party: 'parties',
  lobby: 'custom battles',
  clan: 'clans',
  user: 'player profiles',
  battle: 'battles',
  system: 'this request',
};

/** The feature a command belongs to, in words ("parties", "reporting players"). */
export function featureWords(commandId: string): string {
  const namespace = commandId.split('/')[0] ?? '';
  return FEATURE_BY_COMMAND[commandId] ?? (Object.hasOwn(FEATURE_BY_NAMESPACE, namespace) ? FEATURE_BY_NAMESPACE[namespace] as string : 'this request');
}

/** The protocol's `matchmaking/cancelled` carries only the reason, so these words are all the player can be told. */
export const CANCEL_REASON_TEXT: Record<CancelReason, string> = {
  intentional: 'You left the queue.',
  server_error: 'The server could not start the battle.',
  party_user_left: 'A party member left, so the party left the queue.',
  ready_timeout: 'You did not ready up in time.',
  version_changed: 'The queue changed on the server; queue again to play with its new settings.',
};

/** The longest part of the server's `details` shown to the player. */
export const DETAILS_MAX_CHARS = 200;

/** Why a match was cancelled, with the server's own details (Teiserver adds e.g. `no_host_available`) when it gave any. */
export function cancelText(reason: CancelReason, details?: unknown): string {
  const shown = typeof details === 'string' ? oneLine(details, DETAILS_MAX_CHARS) : '';
  if (!shown) return CANCEL_REASON_TEXT[reason];
  // A server error may come at any point (no host, a host that restarted mid-game): its details say which, so the
  // words before them must not claim the battle never started.
  return reason === 'server_error' ? `Matchmaking stopped. The server said: ${shown}` : `${CANCEL_REASON_TEXT[reason]} The server said: ${shown}`;
}

/** The most queues a notice names one by one. */
const NAMED_QUEUES_MAX = 3;

/** Queues as the player knows them: by playlist name where the list gave one, else by id ("Duel, Team and 2 more"). */
export function queueNames(playlists: readonly PlaylistView[], queueIds: readonly string[]): string {
  const names = queueIds.map((id) => oneLine(playlists.find((p) => p.id === id)?.name ?? id, DETAILS_MAX_CHARS));
  if (names.length > NAMED_QUEUES_MAX) return `${names.slice(0, NAMED_QUEUES_MAX - 1).join(', ')} and ${names.length - NAMED_QUEUES_MAX + 1} more`;
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}

export function partyQueuedText(playlists: readonly PlaylistView[], queueIds: readonly string[]): string {
  return `Your party joined the queue for ${queueNames(playlists, queueIds)}.`;
}

/** After a reconnect the server's word wins: it no longer holds the place we believed we had. */
export function queueLostText(playlists: readonly PlaylistView[], queueIds: readonly string[]): string {
  const which = queueIds.length > 0 ? ` for ${queueNames(playlists, queueIds)}` : '';
  return `The server no longer has you in the queue${which}; queue again to play.`;
}

export function failureText(commandId: string, reason: string, details?: string): string {
  if (reason === 'command_unimplemented') return `This server does not support ${featureWords(commandId)}.`;
  const partyText = commandId.startsWith('party/') && reason === 'invalid_request' && details !== undefined
    ? ownText(PARTY_DETAILS_TEXT, details.trim()) : undefined;
  const lobbyText = commandId.startsWith('lobby/') ? lobbyFailureText(commandId, reason, details) : undefined;
  const text = partyText ?? lobbyText ?? ownText(FAILURE_TEXT, reason) ?? `${commandId} failed (${reason}).`;
  const shown = details === undefined ? '' : oneLine(details, DETAILS_MAX_CHARS);
  return shown ? `${text} The server said: ${shown}` : text;
}

function lobbyFailureText(commandId: string, reason: string, details: string | undefined): string | undefined {
  if (reason === 'banned') return bannedText(details);
  if (reason !== 'invalid_request') return undefined;
  if (details === undefined) return ownText(LOBBY_BARE_TEXT, commandId);
  const key = details.trim().replace(/^:/, '');
  const own = ownText(LOBBY_DETAILS_TEXT, key);
  if (own) return own;
  // Teiserver's lobby name check: "Cannot create lobby: <why>" says it all.
  return /^Cannot (create|update) lobby: /.test(key) ? 'The server refused the lobby.' : undefined;
}

/** `lobby/join`'s `banned` comes with "Banned until <ISO 8601 time>" in details. */
function bannedText(details: string | undefined): string {
  const until = details === undefined ? null : /^Banned until (\S+)$/.exec(details.trim())?.[1];
  const at = until ? Date.parse(until) : NaN;
  return Number.isNaN(at) ? FAILURE_TEXT.banned as string : `You are banned from that lobby until ${new Date(at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}.`;
}

/** Why the server took the player out of a lobby (`lobby/left`), in words. */
export function lobbyLeftText(lobbyName: string, reason: string, bannedUntilMs: number | null): string {
  const lobby = lobbyName ? `the lobby ${oneLine(lobbyName, 80)}` : 'the lobby';
  const until = bannedUntilMs !== null ? ` until ${new Date(bannedUntilMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}` : '';
  const why = reason.trim().toLowerCase();
  if (why === 'banned' || bannedUntilMs !== null) return `You were banned from ${lobby}${until}.`;
  if (why === 'kicked') return `You were kicked from ${lobby}.`;
  if (why === 'lobby crashed') return `${capitalised(lobby)} closed on the server (it crashed).`;
  const shown = oneLine(reason, DETAILS_MAX_CHARS);
  return shown ? `You left ${lobby}. The server said: ${shown}` : `You left ${lobby}.`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A table's own entry only: details such as `constructor` are the server's text, not Object's members. */
function ownText(table: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Any failure of a request the player asked for, as an IntentError with a stable code and a player-facing message. */
export function intentErrorOf(commandId: string, error: unknown): IntentError {
  // Not the player's mistake nor a crash: the server is not ready for us yet, or lacks the feature.
  if (isWaitingForLogin(error)) return new IntentError('not_connected', LOGIN_QUEUE_TEXT, 'waiting_for_login');
  if (error instanceof RequestFailedError && error.reason === 'command_unimplemented') {
    return new IntentError('not_available', failureText(commandId, error.reason), error.reason);
  }
  if (error instanceof RequestFailedError) return new IntentError('rejected', failureText(commandId, error.reason, error.details), error.reason);
  if (error instanceof RequestAbortedError) return abortedError(error.cause);
  return new IntentError('internal', error instanceof Error ? error.message : String(error));
}

function abortedError(cause: RequestAbortCause): IntentError {
  switch (cause) {
    case 'timeout':
      return new IntentError('timeout', 'The server did not answer in time.');
    case 'closed':
    case 'overloaded':
    case 'invalid_answer':
      return new IntentError('not_connected', 'The connection dropped before the server answered.');
    default:
      return assertNever(cause);
  }
}

/**
 * Server text made safe for one line of a notice: control, format (bidi) and line-separator characters become spaces, runs of
 * white space one space, and the rest is clipped to `max` characters.
 */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}

/** What a finished vote was about and how it ended, for a notice. */
export function voteEndedText(action: LobbyVoteAction | null, outcome: LobbyVoteOutcome): string {
  const about = action === null ? 'The vote'
    : action.type === 'start' ? 'The vote to start the battle'
    : action.type === 'changeMap' ? `The vote to change the map to ${oneLine(action.newMapName, 80)}`
    : action.type === 'appointBoss' ? 'The vote to appoint a boss'
    : action.banUntil !== undefined ? 'The vote to ban a player' : 'The vote to kick a player';
  const how: Record<LobbyVoteOutcome, string> = { passed: 'passed', failed: 'failed', cancelled: 'was cancelled', timeout: 'ran out of time' };
  return `${about} ${how[outcome]}.`;
}
