// Hostile rapid servers: indexes cut short, oversized or expanding without end, names that would escape the data dir.
// Each is a clean RapidError, and nothing lands outside packages/, pool/ and rapid/ (no package at all).
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RapidClient, RapidError } from '../../src-main/core/content';
import type { RapidPackage } from '../support/rapid-packer';
import { sdpEntryBytes, sdpName } from '../support/rapid-packer';
import type { ContentWorld } from './fixtures';
import { contentWorld, poolUrlPath, treeFiles } from './fixtures';

let world: ContentWorld;
beforeEach(async () => { world = await contentWorld(); });
afterEach(async () => { await world.dispose(); });

async function code(request = 'byar:test', dataDir = world.dataDir()): Promise<string> {
  const error = await new RapidClient({ dataDir, master: world.server.masterUrl }).install(request).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RapidError);
  // No package, and nothing but the layout's own folders.
  const files = await treeFiles(dataDir);
  expect(files.filter((f) => f.startsWith('packages/'))).toEqual([]);
  expect(files.every((f) => /^(pool|rapid)\//.test(f))).toBe(true);
  return (error as RapidError).code;
}

/** A package whose index is exactly `raw` (gzipped), listed under byar:hostile with the digest of `entries`. */
function hostileSdp(raw: Buffer, entries: Array<{ name: string; md5: string }>): RapidPackage {
  const pkg: RapidPackage = { md5: sdpName(entries), sdp: zlib.gzipSync(raw), files: [], pool: new Map() };
  world.server.publish('byar', 'byar:hostile', 'Hostile', pkg);
  return pkg;
}

const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

describe('hostile master lists and versions.gz', () => {
  it('a versions.gz line whose md5 is a path is no package', async () => {
    world.server.faults.replace.set('/byar/versions.gz', zlib.gzipSync('byar:test,../../../../tmp/evil,,Evil\n'));
    expect(await code()).toBe('unknown_package');
  });

  it('a versions.gz that expands past its cap, or is not gzip, or is larger than its cap on the wire', async () => {
    world.server.faults.replace.set('/byar/versions.gz', zlib.gzipSync(Buffer.alloc((64 << 20) + 1, 0x61)));
    expect(await code()).toBe('too_large');
    world.server.faults.replace.set('/byar/versions.gz', Buffer.from('byar:test,not gzip'));
    expect(await code()).toBe('bad_index');
    world.server.faults.replace.set('/byar/versions.gz', randomBytes((16 << 20) + 1));
    expect(await code()).toBe('too_large');
  });

  it('a master list with unusable repositories', async () => {
    for (const line of ['byar,file:///etc,,', `byar,http://u:p@127.0.0.1:${world.server.port}/byar,,`, `../evil,${world.server.url}/byar,,`, `byar,${world.server.url}/byar`, `byar,${world.server.url}/by%2e%2e,,`]) {
      world.server.faults.replace.set('/repos.gz', zlib.gzipSync(`${line}\n`));
      expect(await code(), line).toBe('bad_index');
    }
  });
});

describe('hostile package indexes', () => {
  it('cut short in the middle of an entry', async () => {
    const entry = sdpEntryBytes('modinfo.lua', MD5, 0, 0);
    hostileSdp(entry.subarray(0, entry.length - 3), [{ name: 'modinfo.lua', md5: MD5 }]);
    expect(await code('byar:hostile')).toBe('bad_index');
  });

  it('names that escape, are absolute, or repeat, even with a matching digest', async () => {
    for (const names of [['../../evil.lua'], ['/etc/evil'], ['luarules\\..\\..\\evil'], ['a//b'], ['ok.lua', 'ok.lua']]) {
      const entries = names.map((name) => ({ name, md5: MD5 }));
      hostileSdp(Buffer.concat(entries.map((e) => sdpEntryBytes(e.name, e.md5, 0, 0))), entries);
      expect(await code('byar:hostile'), names.join(' ')).toBe('bad_index');
    }
  });

  it('an index that does not match its name, a file over the size cap, an index too large to fetch', async () => {
    const entries = [{ name: 'modinfo.lua', md5: MD5 }];
    const pkg = hostileSdp(sdpEntryBytes('other.lua', MD5, 0, 0), entries);
    expect(await code('byar:hostile')).toBe('corrupt');
    hostileSdp(sdpEntryBytes('modinfo.lua', MD5, 0, 0xffff_ffff), entries);
    expect(await code('byar:hostile')).toBe('too_large');
    world.server.faults.replace.set(`/byar/packages/${pkg.md5}.sdp`, randomBytes((16 << 20) + 1));
    expect(await code('byar:hostile')).toBe('too_large');
  });
});

describe('hostile pool files', () => {
  it('a gzip bomb where the index says a few bytes is refused and not kept', async () => {
    const small = world.v1.files.find((f) => f.size < 2000)!;
    world.server.faults.replace.set(poolUrlPath('byar', small.md5), zlib.gzipSync(Buffer.alloc(50 << 20)));
    expect(await code()).toBe('corrupt');
  });

  it('a body larger than any gzip of the file could be is refused before it is read', async () => {
    const small = world.v1.files.find((f) => f.size < 2000)!;
    world.server.faults.replace.set(poolUrlPath('byar', small.md5), randomBytes(200_000));
    expect(await code()).toBe('too_large');
  });
});
