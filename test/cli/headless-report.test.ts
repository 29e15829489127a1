// The headless report's records from patches alone (no process): party records, the revision and the login queue in connection records.
import { describe, expect, it } from 'vitest';
import { HeadlessReport, humanLine } from '../../src-main/cli/headless-report';
import { initialSnapshot, type PartyView } from '../../src-main/core/lobby/state';
import { LOGIN_QUEUE_TEXT } from '../../src-main/core/lobby/failure-text';

const party = (members: string[], invited: string[], maxMembers: number | null): PartyView => ({
  id: 'p1', maxMembers, members: members.map((userId) => ({ userId, joinedAt: 1 })), invited: invited.map((userId) => ({ userId, invitedAt: 2 })),
});

describe('headless report', () => {
  it('prints a party record whenever the party changes, and a short human line', () => {
    const report = new HeadlessReport(initialSnapshot('http://127.0.0.1:1'));
    const first = report.records({ slice: 'party', value: { current: party(['u1'], ['u2'], 8), invitations: [] } });
    expect(first).toEqual([{ kind: 'party', partyId: 'p1', members: ['u1'], invited: ['u2'], maxMembers: 8, invitations: [] }]);
    expect(humanLine(first[0]!)).toBe('party: 2 / 8 [u1] invited [u2]');
    // The same party again is no change.
    expect(report.records({ slice: 'party', value: { current: party(['u1'], ['u2'], 8), invitations: [] } })).toEqual([]);
    const left = report.records({ slice: 'party', value: { current: null, invitations: [{ ...party(['u3'], ['u1'], null), id: 'p2' }] } });
    expect(left).toEqual([{ kind: 'party', partyId: null, members: [], invited: [], maxMembers: null, invitations: ['p2'] }]);
    expect(humanLine(left[0]!)).toBe('party: none; invited to 1');
  });

  it('prints the connection again once the revision is learnt, and forgets it on a new connection', () => {
    const report = new HeadlessReport(initialSnapshot('http://127.0.0.1:1'));
    const status = (phase: 'connected' | 'reconnecting') => ({ slice: 'connection' as const, value: { serverUrl: 'x', phase, versionParity: 'match' as const } });
    expect(report.records(status('connected'))).toEqual([{ kind: 'connection', state: 'connected', protocol: 'unknown' }]);
    const learnt = report.records({ slice: 'protocol', value: 'tachyon-1.13' });
    expect(learnt).toEqual([{ kind: 'connection', state: 'connected', protocol: 'tachyon-1.13' }]);
    expect(humanLine(learnt[0]!)).toBe('connection: connected (protocol: Tachyon 1.13.0)');
    expect(report.records(status('reconnecting'))).toEqual([{ kind: 'connection', state: 'reconnecting', protocol: 'unknown' }]);
  });
});

describe('headless connection records', () => {
  it('says when the server holds us in its login queue, then that we are connected', () => {
    const report = new HeadlessReport(initialSnapshot('http://127.0.0.1:1'));
    const connection = (value: Record<string, unknown>) => report.records({ slice: 'connection', value: { serverUrl: 'http://127.0.0.1:1', versionParity: 'match', ...value } as never });
    expect(connection({ phase: 'connecting' })).toEqual([{ kind: 'connection', state: 'connecting', protocol: 'unknown' }]);
    const queued = connection({ phase: 'connecting', loginQueue: true, message: LOGIN_QUEUE_TEXT });
    expect(queued).toEqual([{ kind: 'connection', state: 'connecting', protocol: 'unknown', message: LOGIN_QUEUE_TEXT }]);
    expect(humanLine(queued[0] as never)).toBe(`connection: connecting - ${LOGIN_QUEUE_TEXT}`);
    expect(connection({ phase: 'connecting', loginQueue: true, message: LOGIN_QUEUE_TEXT })).toEqual([]);
    expect(connection({ phase: 'connected' })).toEqual([{ kind: 'connection', state: 'connected', protocol: 'unknown' }]);
  });
});
