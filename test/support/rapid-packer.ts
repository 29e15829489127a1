// Test support: packs a folder (or a map of files) into a rapid package the way rapid's server tools do: every file
// gzipped once (one member) into the pool under the MD5 of its uncompressed bytes, the .sdp entries sorted byte-wise by
// lower-cased name, and the .sdp named by MD5 over each entry of MD5(name) followed by its MD5.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';

export interface PackedFile {
  readonly name: string;
  readonly md5: string;
  readonly size: number;
  readonly crc32: number;
}

export interface RapidPackage {
  /** The .sdp's name (not the MD5 of its bytes). */
  readonly md5: string;
  /** The gzipped .sdp, as served and installed. */
  readonly sdp: Buffer;
  readonly files: readonly PackedFile[];
  /** Pool files by MD5: the gzip bytes. */
  readonly pool: ReadonlyMap<string, Buffer>;
}

/** The raw .sdp entries: u8 name length, name, 16-byte MD5, big-endian CRC32, big-endian size. */
export function sdpEntryBytes(name: string, md5: string, crc32: number, size: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const fixed = Buffer.alloc(24);
  Buffer.from(md5, 'hex').copy(fixed, 0);
  fixed.writeUInt32BE(crc32 >>> 0, 16);
  fixed.writeUInt32BE(size >>> 0, 20);
  return Buffer.concat([Buffer.from([nameBytes.length]), nameBytes, fixed]);
}

export function sdpName(files: ReadonlyArray<{ name: string; md5: string }>): string {
  const outer = createHash('md5');
  for (const f of files) {
    outer.update(createHash('md5').update(f.name, 'utf8').digest());
    outer.update(Buffer.from(f.md5, 'hex'));
  }
  return outer.digest('hex');
}

export function packFiles(input: ReadonlyMap<string, Buffer>): RapidPackage {
  const byName = new Map<string, Buffer>();
  for (const [name, data] of input) byName.set(name.replace(/\\/g, '/').toLowerCase(), data);
  const names = [...byName.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const pool = new Map<string, Buffer>();
  const files: PackedFile[] = names.map((name) => {
    const data = byName.get(name)!;
    const md5 = createHash('md5').update(data).digest('hex');
    if (!pool.has(md5)) pool.set(md5, zlib.gzipSync(data));
    return { name, md5, size: data.length, crc32: zlib.crc32(data) };
  });
  const sdp = zlib.gzipSync(Buffer.concat(files.map((f) => sdpEntryBytes(f.name, f.md5, f.crc32, f.size))));
  return { md5: sdpName(files), sdp, files, pool };
}

async function readTree(dir: string, prefix = ''): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) for (const [k, v] of await readTree(path.join(dir, entry.name), rel)) out.set(k, v);
    else if (entry.isFile()) out.set(rel, await readFile(path.join(dir, entry.name)));
  }
  return out;
}

/** A game folder (`.sdd`) packed. */
export async function packFolder(dir: string): Promise<RapidPackage> {
  return packFiles(await readTree(dir));
}
