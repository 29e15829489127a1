// Player-facing words and numbers: connection states, cancel reasons, chat errors, chart points.
import { describe, expect, it } from 'vitest';
import type { MatchmakingView, ServerProfileView } from '../../src-main/contract';
import { cancelReasonWords, chartPoints, fileSizeWords, replayDateWords, replayTeamsWords, replayWinnerWords, foundPlaylistName, connectionWords, formatDuration, intentErrorWords, matchSize, matchmakingWords, playlistWords, sessionWords, threadKey } from '../../src-renderer/present';

const mm = (over: Partial<MatchmakingView>): MatchmakingView => ({ phase: 'idle', playlists: [], queues: [], playersQueued: null, found: null, readyCount: 0, cancelReason: null, ...over });

describe('present', () => {
  it('says when the next retry is', () => {
    const words = connectionWords({ serverUrl: 'http://127.0.0.1:1', phase: 'reconnecting', versionParity: 'unknown', retryAt: 10_500 }, 5_000);
    expect(words).toMatchObject({ label: 'Reconnecting in 6 s', tone: 'warn' });
    expect(connectionWords({ serverUrl: 'x', phase: 'incompatible', versionParity: 'major_mismatch' }, 0).label).toBe('Incompatible server');
  });

  it("says the player waits in the server's login queue, and that a feature is missing, without calling either an error", () => {
    const waiting = connectionWords({ serverUrl: 'x', phase: 'connecting', versionParity: 'match', loginQueue: true, message: "Waiting in the server's login queue…" }, 0);
    expect(waiting).toEqual({ label: 'In the login queue…', tone: 'busy', detail: "Waiting in the server's login queue…" });
    expect(connectionWords({ serverUrl: 'x', phase: 'connecting', versionParity: 'unknown' }, 0).label).toBe('Connecting…');
    expect(intentErrorWords('not_connected', 'waiting_for_login', 'Waiting')).toMatch(/login queue/);
    expect(intentErrorWords('not_available', 'command_unimplemented', 'This server does not support parties.')).toBe('This server does not support parties.');
  });

  it('explains cancel reasons and lost matches in words', () => {
    expect(cancelReasonWords('ready_timeout')).toMatch(/did not ready/);
    expect(cancelReasonWords('party_user_left')).toMatch(/party member left/);
    expect(matchmakingWords(mm({ phase: 'lost' }))).toMatch(/back in the queue/);
    expect(matchmakingWords(mm({ phase: 'cancelled', cancelReason: 'server_error' }))).toMatch(/server had a problem/);
  });

  it('explains message_too_long', () => {
    expect(intentErrorWords('rejected', 'message_too_long', 'message_too_long')).toMatch(/too long/);
    expect(intentErrorWords('internal')).not.toMatch(/stack|Error/);
  });

  it('sizes and names the found match from its playlist', () => {
    const playlists = [{ id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, ranked: true, version: 'v1', engines: [], games: [], maps: [] }];
    expect(matchSize(mm({ playlists, found: { queueId: '1v1', timeoutMs: 10_000, deadline: 1 } }))).toBe(2);
    expect(foundPlaylistName(mm({ playlists, found: { queueId: '1v1', timeoutMs: 10_000, deadline: 1 } }))).toBe('Duel');
    expect(foundPlaylistName(mm({ playlists, found: { queueId: 'unlisted', timeoutMs: 10_000, deadline: 1 } }))).toBe('unlisted');
  });

  it('keys direct chats by the other player, whoever sent', () => {
    const base = { marker: 'm', at: 0, text: 't' };
    expect(threadKey({ ...base, fromUserId: 'me', channel: { type: 'player', userId: 'bob' } }, 'me')).toBe('player:bob');
    expect(threadKey({ ...base, fromUserId: 'bob', channel: { type: 'player', userId: 'me' } }, 'me')).toBe('player:bob');
    expect(threadKey({ ...base, fromUserId: 'bob', channel: { type: 'party', partyId: 'p' } }, 'me')).toBe('party');
  });

  it('formats durations and chart points', () => {
    expect(formatDuration(65_000)).toBe('1:05');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
    expect(chartPoints([], 100, 50)).toBe('');
    expect(chartPoints([{ at: 0, userCount: 0 }, { at: 10, userCount: 4 }], 100, 50)).toBe('0.0,48.0 100.0,2.0');
  });
});

describe('replay words', () => {
  const entry = {
    file: 'a.sdfz', size: 1, mtimeMs: 1, status: 'ok' as const, startedAt: '2026-12-01T12:06:34.000Z', map: 'm', game: 'g', engine: '106.0', durationS: 1,
    teams: [{ allyTeam: 0, players: ['Alice'], bots: [] }, { allyTeam: 1, players: [], bots: [] }], spectators: [], winners: [1], winnersMissing: false,
  };
  it('says the date, the teams and who won, also when nobody is named or the demo never wrote it', () => {
    expect(replayDateWords(entry.startedAt)).toBe('2026-12-01 12:06');
    expect(replayTeamsWords(entry)).toBe('Alice vs —');
    expect(replayWinnerWords(entry)).toBe('team 2');
    expect(replayWinnerWords({ ...entry, winners: [] })).toBe('none');
    expect(replayWinnerWords({ ...entry, winners: [], winnersMissing: true })).toBe('not recorded');
    expect([fileSizeWords(10), fileSizeWords(4096), fileSizeWords(3 * 1024 * 1024)]).toEqual(['10 B', '4 KB', '3.0 MB']);
  });
});

describe('sign-in words', () => {
  const remote: ServerProfileView = { id: 'https://lobby.example', kind: 'remote', url: 'https://lobby.example', label: 'Lobby', signedIn: false };
  const embedded: ServerProfileView = { id: 'embedded', kind: 'embedded', url: null, label: 'This computer', signedIn: false };
  const server = remote.id;

  it('offers the one next step for each state', () => {
    expect(sessionWords({ state: 'signed_in', server: 'embedded' }, embedded, 'Local')).toMatchObject({ action: null, tone: 'good' });
    expect(sessionWords({ state: 'signed_out', server }, remote, null)).toMatchObject({ title: 'Not signed in to Lobby', action: 'signIn', tone: 'idle' });
    expect(sessionWords({ state: 'signing_in', server }, remote, null)).toMatchObject({ title: 'Waiting for your browser…', action: 'cancel', tone: 'busy' });
    expect(sessionWords({ state: 'signing_in', server, message: 'Resuming your remembered sign-in…' }, remote, null)).toMatchObject({ title: 'Resuming your sign-in…', action: null });
    expect(sessionWords({ state: 'signed_in', server, lastEvent: 'auth success' }, remote, 'Alice')).toMatchObject({ title: 'Signed in as Alice', action: 'signOut' });
    expect(sessionWords({ state: 'signed_in', server, lastEvent: 'token expiring' }, remote, 'Alice').detail).toBe('Renewing your sign-in…');
    expect(sessionWords({ state: 'expired', server, lastEvent: 'token expired', message: 'Ended. Sign in again.' }, remote, null)).toMatchObject({ title: 'Your sign-in to Lobby has ended', detail: 'Ended. Sign in again.', action: 'signIn', tone: 'warn' });
  });

  it('shows failures as bad news but a cancel calmly', () => {
    expect(sessionWords({ state: 'signed_out', server, problem: 'access_denied', message: 'Access denied.' }, remote, null)).toMatchObject({ detail: 'Access denied.', tone: 'bad' });
    expect(sessionWords({ state: 'signed_out', server, problem: 'cancelled', message: 'Sign-in cancelled.' }, remote, null).tone).toBe('idle');
    expect(intentErrorWords('sign_in_failed', 'network', 'Could not reach the server for sign-in.')).toBe('Could not reach the server for sign-in.');
  });

  it('describes a playlist card with the right number words', () => {
    const duel = { id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, ranked: false, version: 'v1', engines: [], games: [], maps: ['Test Map'] };
    expect(playlistWords(duel)).toEqual({ format: '1 v 1 · Casual', maps: '1 map' });
    expect(playlistWords({ ...duel, numOfTeams: 3, teamSize: 2, ranked: true, maps: ['a', 'b'] })).toEqual({ format: '2 v 2 v 2 · Ranked', maps: '2 maps' });
  });
});
