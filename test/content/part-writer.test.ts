// The part writer on a real file: batches, a background flush past 32 MiB, the closing fsync; bytes land in order.
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PartWriter } from '../../src-main/core/content/part-writer';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'part-writer-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

it('writes 40 MiB given in socket-sized chunks byte for byte, appending to what the part held', async () => {
  const file = path.join(dir, '.x.part');
  const head = randomBytes(1000);
  const data = randomBytes(40 << 20);
  const handle = await open(file, 'w');
  await handle.write(head);
  const writer = new PartWriter(handle);
  for (let at = 0; at < data.length; at += 65_000) await writer.add(data.subarray(at, at + 65_000));
  await writer.sync();
  await handle.close();
  expect((await readFile(file)).equals(Buffer.concat([head, data]))).toBe(true);
});

it('a flush of what is queued keeps a head that was never a full batch', async () => {
  const file = path.join(dir, '.y.part');
  const handle = await open(file, 'w');
  const writer = new PartWriter(handle);
  const data = randomBytes(300_000);
  await writer.add(data);
  expect((await readFile(file)).length).toBe(0);
  await writer.flush();
  await handle.close();
  expect((await readFile(file)).equals(data)).toBe(true);
});
