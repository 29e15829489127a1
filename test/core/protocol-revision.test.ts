// Which protocol revision the server speaks, from the shapes it sends, and how the connection slice keeps and forgets it.
import { describe, expect, it } from 'vitest';
import { hintOfPartyCreate, hintOfPlaylists, revisionOfSelf, withHint } from '../../src-main/core/lobby/protocol-revision';
import { reduceConnection } from '../../src-main/shared/lobby-reducers';
import { failureText } from '../../src-main/core/lobby/failure-text';
import type { ConnectionView } from '../../src-main/core/lobby/state';

describe('protocol revision', () => {
  it('reads user/self: matchmaking → current, currentLobby or clanInvites → newer, neither → 1.13.0', () => {
    expect(revisionOfSelf({ currentLobby: null, clanInvites: [], matchmaking: { state: 'no_matchmaking' } })).toBe('tachyon-current');
    expect(revisionOfSelf({ currentLobby: null, clanInvites: [] })).toBe('tachyon-newer');
    expect(revisionOfSelf({ clanInvites: [] })).toBe('tachyon-newer');
    expect(revisionOfSelf({ userId: 'u1', clanId: null })).toBe('tachyon-1.13');
  });

  it('takes hints from playlists and party/create that only add what they prove', () => {
    expect(hintOfPlaylists([])).toBeNull();
    expect(hintOfPlaylists([{ id: 'a', version: '1' }])).toBe('newer');
    expect(hintOfPlaylists([{ id: 'a' }])).toBe('1.13');
    expect(hintOfPartyCreate({ party: {} })).toBe('newer');
    expect(hintOfPartyCreate({ partyId: 'p' })).toBe('1.13');
    expect(withHint('unknown', 'newer')).toBe('tachyon-newer');
    expect(withHint('tachyon-1.13', 'newer')).toBe('tachyon-newer');
    expect(withHint('tachyon-current', 'newer')).toBe('tachyon-current');
    expect(withHint('unknown', '1.13')).toBe('tachyon-1.13');
    expect(withHint('tachyon-newer', '1.13')).toBe('tachyon-newer');
  });

  it('is kept through status changes of one connection and forgotten when a connection begins', () => {
    const known: ConnectionView = { serverUrl: 'x', phase: 'connected', versionParity: 'match', protocol: 'tachyon-current' };
    expect(reduceConnection(known, { slice: 'connection', value: { serverUrl: 'x', phase: 'connected', versionParity: 'match' } }).protocol).toBe('tachyon-current');
    expect(reduceConnection(known, { slice: 'connection', value: { serverUrl: 'x', phase: 'closed', versionParity: 'match' } }).protocol).toBe('tachyon-current');
    for (const phase of ['connecting', 'reconnecting'] as const) {
      expect(reduceConnection(known, { slice: 'connection', value: { serverUrl: 'x', phase, versionParity: 'unknown' } }).protocol).toBe('unknown');
    }
    expect(reduceConnection(known, { slice: 'protocol', value: 'tachyon-1.13' })).toEqual({ ...known, protocol: 'tachyon-1.13' });
  });
});

describe('party refusals in words', () => {
  it('says what Teiserver\'s party reasons mean, keeps their details, and treats other details as text', () => {
    expect(failureText('party/invite', 'invalid_request', 'already_invited')).toBe('That player is already in the party or invited to it. The server said: already_invited');
    expect(failureText('party/acceptInvite', 'invalid_request', 'not_invited')).toBe('There is no such invitation (it may have run out). The server said: not_invited');
    // Object's own members are no reason: the details are shown as the server's text.
    expect(failureText('party/invite', 'invalid_request', 'constructor')).toBe('The server did not accept the request. The server said: constructor');
    // Only party commands read details as a party reason.
    expect(failureText('matchmaking/queue', 'invalid_request', 'party_at_capacity')).toBe('The server did not accept the request. The server said: party_at_capacity');
  });
});
