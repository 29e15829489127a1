// What the player reads when a request fails: stable codes from typed errors, and the server's details on one clipped line.
import { describe, expect, it } from 'vitest';
import { DETAILS_MAX_CHARS, failureText, featureWords, intentErrorOf, LOGIN_QUEUE_TEXT, oneLine } from '../../src-main/core/lobby/failure-text';
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
});
