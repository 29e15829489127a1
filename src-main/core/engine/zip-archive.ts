// A minimal zip (.sdz) reader and writer: enough to read modinfo.lua/mapinfo.lua from archives and to build test content.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import zlib from 'node:zlib';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

export interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

export interface ZipListLimits {
  /** More entries than this is an error (default 100,000). */
  readonly maxEntries?: number;
  /** A larger central directory is an error (default 16 MiB). */
  readonly maxDirectoryBytes?: number;
}

/** Lists the entries of a zip file from its central directory (no ZIP64: content archives never need it). */
export async function listZip(file: FileHandle, limits: ZipListLimits = {}): Promise<ZipEntry[]> {
  const { size } = await file.stat();
  if (size < EOCD_SIZE) throw new ZipFormatError('too small to be a zip archive');
  const tailLength = Math.min(size, EOCD_SIZE + MAX_COMMENT);
  const tail = await readAt(file, size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('no end of central directory record');
  const count = tail.readUInt16LE(eocd + 10);
  const centralSize = tail.readUInt32LE(eocd + 12);
  const centralOffset = tail.readUInt32LE(eocd + 16);
  if (centralOffset === 0xffffffff || count === 0xffff) throw new ZipFormatError('ZIP64 archives are not supported');
  if (centralOffset + centralSize > size) throw new ZipFormatError('central directory out of range');
  const maxEntries = limits.maxEntries ?? 100_000;
  const maxDirectoryBytes = limits.maxDirectoryBytes ?? 16 * 1024 * 1024;
  if (count > maxEntries) throw new ZipFormatError(`more than ${maxEntries} entries`);
  if (centralSize > maxDirectoryBytes) throw new ZipFormatError(`central directory larger than ${Math.floor(maxDirectoryBytes / 1024 / 1024)} MiB`);
  const central = await readAt(file, centralOffset, centralSize);

  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > central.length || central.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new ZipFormatError('bad central directory entry');
    const nameLength = central.readUInt16LE(at + 28);
    const extraLength = central.readUInt16LE(at + 30);
    const commentLength = central.readUInt16LE(at + 32);
    if (at + 46 + nameLength > central.length) throw new ZipFormatError('bad central directory entry');
    entries.push({
      flags: central.readUInt16LE(at + 8),
      method: central.readUInt16LE(at + 10),
      compressedSize: central.readUInt32LE(at + 20),
      size: central.readUInt32LE(at + 24),
      localHeaderOffset: central.readUInt32LE(at + 42),
      name: central.toString('utf8', at + 46, at + 46 + nameLength),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Reads one entry's bytes; refuses entries larger than `maxSize` so a hostile archive stays cheap. */
export async function readZipEntry(file: FileHandle, entry: ZipEntry, maxSize = 1024 * 1024): Promise<Buffer> {
  if (entry.size > maxSize || entry.compressedSize > maxSize) throw new ZipFormatError('entry too large');
  if (entry.flags & 1) throw new ZipFormatError('entry is encrypted');
  const local = await readAt(file, entry.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new ZipFormatError('bad local header');
  const dataAt = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const raw = await readAt(file, dataAt, entry.compressedSize);
  if (raw.length !== entry.compressedSize) throw new ZipFormatError('entry data truncated');
  if (entry.method === 0) return raw;
  if (entry.method === 8) {
    try {
      return zlib.inflateRawSync(raw, { maxOutputLength: maxSize });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new ZipFormatError('entry too large');
      throw new ZipFormatError('entry does not inflate');
    }
  }
  throw new ZipFormatError(`unsupported compression method ${entry.method}`);
}

/** Reads the first entry whose name matches `name` ignoring case (the engine's VFS is case-insensitive). */
export async function readZipFile(archivePath: string, name: string, maxSize?: number): Promise<Buffer | undefined> {
  const file = await open(archivePath, 'r');
  try {
    const wanted = name.toLowerCase();
    const entry = (await listZip(file)).find((e) => e.name.toLowerCase() === wanted);
    return entry === undefined ? undefined : await readZipEntry(file, entry, maxSize);
  } finally {
    await file.close();
  }
}

/** Writes a zip archive (deflated entries, no directories entries needed by the engine). */
export function writeZip(files: ReadonlyMap<string, Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const compressed = zlib.deflateRawSync(data);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_SIGNATURE, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_SIGNATURE, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, compressed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const eocd = Buffer.alloc(EOCD_SIZE);
  eocd.writeUInt32LE(EOCD_SIGNATURE, 0);
  eocd.writeUInt16LE(files.size, 8);
  eocd.writeUInt16LE(files.size, 10);
  eocd.writeUInt32LE(centralSize, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, eocd]);
}
