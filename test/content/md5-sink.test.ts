// The download's MD5 helpers (inline, coreutils' md5sum, a worker thread) give the same digest as node:crypto, across
// batch edges and with backpressure, and a closed one stops.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Md5Helper } from '../../src-main/core/content/md5-sink';
import { md5Sink } from '../../src-main/core/content/md5-sink';

const data = randomBytes(40 << 20);
const expected = createHash('md5').update(data).digest('hex');
const helpers: Md5Helper[] = ['inline', 'worker', ...(existsSync('/usr/bin/md5sum') || existsSync('/bin/md5sum') ? ['md5sum' as const] : [])];

describe.each(helpers)('the %s MD5 helper', (helper) => {
  it('hashes 40 MiB given in uneven chunks as node:crypto does', async () => {
    const sink = md5Sink(data.length, helper);
    for (let at = 0, step = 1; at < data.length; at += step, step = (step * 7 + 13) % 300_000 + 1) await sink.update(data.subarray(at, at + step));
    expect(await sink.digest()).toBe(expected);
  });

  it('hashes nothing as the MD5 of nothing, and can be closed unused', async () => {
    expect(await md5Sink(undefined, helper).digest()).toBe(createHash('md5').digest('hex'));
    md5Sink(undefined, helper).close();
  });
});
