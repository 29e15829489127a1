// What the player reads when a request fails: stable codes from typed errors, and the server's details on one clipped line.
import { describe, expect, it } from 'vitest';
import {
  DETAILS_MAX_CHARS, failureText, featureWords, intentErrorOf, lobbyLeftText, LOGIN_QUEUE_TEXT, oneLine, voteEndedText,
} from '../../src-main/core/lobby/failure-text';
import { RequestAbortedError, RequestFailedError } from '../../src-main/core/protocol/endpoint';

describe('failure text', () => {
  it('classifies an aborted request by its typed cause, whatever the message says', () => {
    expect(intentErrorOf('matchmaking/queue', new RequestAbortedError('matchmaking/queue', 'timeout', 'anything'))).toMatchObject({ code: 'timeout' });
    for (const cause of ['closed', 'overloaded', 'invalid_answer'] as const) {
      // The old message-text rule would have called this one a timeout.
      const error = new RequestAbortedError('matchmaking/queue', cause, 'no answer within 5 ms');
      expect(intentErrorOf('matchmaking/queue', error)).toMatchObject({ code: 'not_connected', message: 'The connection dropped before the server answered.' });
    }
  });

  it('adds the server details of a failed request to the player text, on one line and clipped', () => {
    const error = new RequestFailedError('party/invite', 'invalid_request', 'not in\na party\u202e');
    expect(intentErrorOf('party/invite', error)).toMatchObject({
      code: 'rejected', reason: 'invalid_request', message: 'The server did not accept the request. The server said: not in a party',
    });
    expect(failureText('x/y', 'odd_reason')).toBe('x/y failed (odd_reason).');
    expect(failureText('x/y', 'not_queued', ' \n\t ')).toBe('You are not in a queue.');
    const clipped = oneLine('é'.repeat(DETAILS_MAX_CHARS * 3), DETAILS_MAX_CHARS);
    expect([...clipped]).toHaveLength(DETAILS_MAX_CHARS);
    expect(clipped.endsWith('…')).toBe(true);
  });

  it('words command_unimplemented as the feature this server lacks, not as an error of ours', () => {
    expect(intentErrorOf('party/create', new RequestFailedError('party/create', 'command_unimplemented'))).toMatchObject({
      code: 'not_available', reason: 'command_unimplemented', message: 'This server does not support parties.',
    });
    expect(failureText('user/report', 'command_unimplemented', 'no schema')).toBe('This server does not support reporting players.');
    expect(featureWords('clan/create')).toBe('clans');
    expect(featureWords('lobby/create')).toBe('custom battles');
    expect(featureWords('constructor/x')).toBe('this request');
    expect(featureWords('__proto__/x')).toBe('this request');
  });

  it('tells a request answered "waiting for login" as waiting in the login queue, not as a refusal', () => {
    expect(intentErrorOf('matchmaking/list', new RequestFailedError('matchmaking/list', 'invalid_request', 'waiting for login'))).toMatchObject({
      code: 'not_connected', reason: 'waiting_for_login', message: LOGIN_QUEUE_TEXT,
    });
    expect(intentErrorOf('matchmaking/list', new RequestFailedError('matchmaking/list', 'invalid_request', 'bad queue'))).toMatchObject({ code: 'rejected' });
  });

  it("says Teiserver's lobby reasons in words: invalid_request details, inspected atoms, a bare kickban refusal, a ban's end", () => {
    expect(failureText('lobby/create', 'invalid_request', 'already_in_lobby')).toBe('You are already in a lobby; leave it first. The server said: already_in_lobby');
    expect(failureText('lobby/kickban', 'invalid_request', ':not_in_lobby')).toBe('You are not in that lobby (any more). The server said: :not_in_lobby');
    expect(failureText('lobby/kickban', 'invalid_request')).toBe('Only a boss can kick or ban (or the player is not in the lobby).');
    expect(failureText('lobby/create', 'invalid_request', 'Cannot create lobby: name too short')).toBe('The server refused the lobby. The server said: Cannot create lobby: name too short');
    expect(failureText('lobby/join', 'banned', 'Banned until 2026-12-01T16:00:00.000000Z'))
      .toBe('You are banned from that lobby until 2026-12-01 16:00:00 UTC. The server said: Banned until 2026-12-01T16:00:00.000000Z');
    expect(failureText('lobby/join', 'banned', 'whenever')).toBe('You are banned from that lobby. The server said: whenever');
    expect(failureText('lobby/joinAllyTeam', 'ally_team_full')).toBe('That team is full.');
    // A details text that names an Object member is the server's text, not a table entry.
    expect(failureText('lobby/update', 'invalid_request', 'constructor')).toBe('The server did not accept the request. The server said: constructor');
    expect(failureText('lobby/subscribeList', 'command_unimplemented')).toBe('This server does not support custom battles.');
  });

  it('says why the server took the player out of a lobby, and how a vote ended', () => {
    expect(lobbyLeftText('Friday', 'kicked', null)).toBe('You were kicked from the lobby Friday.');
    expect(lobbyLeftText('Friday', 'banned', Date.UTC(2026, 11, 1, 16))).toBe('You were banned from the lobby Friday until 2026-12-01 16:00:00 UTC.');
    expect(lobbyLeftText('', 'lobby crashed', null)).toBe('The lobby closed on the server (it crashed).');
    expect(lobbyLeftText('F\u202eriday', 'some\nreason', null)).toBe('You left the lobby F riday. The server said: some reason');
    expect(voteEndedText({ type: 'start' }, 'passed')).toBe('The vote to start the battle passed.');
    expect(voteEndedText({ type: 'changeMap', newMapName: 'Glacier' }, 'timeout')).toBe('The vote to change the map to Glacier ran out of time.');
    expect(voteEndedText({ type: 'kickban', userId: 'u' }, 'cancelled')).toBe('The vote to kick a player was cancelled.');
    expect(voteEndedText(null, 'failed')).toBe('The vote failed.');
  });
});
