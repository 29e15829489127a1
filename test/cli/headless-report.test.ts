// The headless client's connection records: waiting in the server's login queue is reported, once, while still connecting.
import { describe, expect, it } from 'vitest';
import { HeadlessReport, humanLine } from '../../src-main/cli/headless-report';
import { LOGIN_QUEUE_TEXT } from '../../src-main/core/lobby/failure-text';
import { initialSnapshot } from '../../src-main/core/lobby/state';

describe('headless connection records', () => {
  it("says when the server holds us in its login queue, then that we are connected", () => {
    const report = new HeadlessReport(initialSnapshot('http://127.0.0.1:1'));
    const connection = (value: Record<string, unknown>) => report.records({ slice: 'connection', value: { serverUrl: 'http://127.0.0.1:1', versionParity: 'match', ...value } as never });
    expect(connection({ phase: 'connecting' })).toEqual([{ kind: 'connection', state: 'connecting' }]);
    const queued = connection({ phase: 'connecting', loginQueue: true, message: LOGIN_QUEUE_TEXT });
    expect(queued).toEqual([{ kind: 'connection', state: 'connecting', message: LOGIN_QUEUE_TEXT }]);
    expect(humanLine(queued[0] as never)).toBe(`connection: connecting - ${LOGIN_QUEUE_TEXT}`);
    expect(connection({ phase: 'connecting', loginQueue: true, message: LOGIN_QUEUE_TEXT })).toEqual([]);
    expect(connection({ phase: 'connected' })).toEqual([{ kind: 'connection', state: 'connected' }]);
  });
});
