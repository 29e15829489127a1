// Which process sent a UDP datagram: the sender's address and port matched to a socket in /proc/net/udp{,6}, and its inode to a process's open files (Linux proc(5)).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';

/** `yes`/`no`, or `unknown` where there is no /proc to ask (not Linux, or /proc not mounted). */
export type SocketOwnership = 'yes' | 'no' | 'unknown';

// Bounds on what is read: a process with more descriptors than this is not an engine we started.
const MAX_DESCRIPTORS = 4096;
const MAX_TABLE_LINES = 65_536;

interface UdpSocketEntry {
  /** The bound address in canonical text (`0.0.0.0` / `::` when bound to any). */
  address: string;
  port: number;
  inode: string;
}

/**
 * Whether every socket that could have sent from `address`:`port` (bound to exactly it, or to the wildcard on that
 * port) is open in process `pid`. Synchronous on purpose: the caller judges one datagram before the next, and procfs
 * files are generated in memory.
 */
export function udpSenderIsProcess(pid: number, address: string, port: number): SocketOwnership {
  const tables = readUdpTables();
  if (tables === null) return 'unknown';
  const sender = canonicalAddress(address);
  const exact = tables.filter((e) => e.port === port && e.address === sender);
  // The kernel picks the exact bind first; a wildcard socket on the port could have sent only without one.
  const candidates = exact.length > 0 ? exact : tables.filter((e) => e.port === port && (e.address === '0.0.0.0' || e.address === '::'));
  if (candidates.length === 0) return 'no';
  const owned = socketInodesOf(pid);
  return candidates.every((e) => owned.has(e.inode)) ? 'yes' : 'no';
}

/** Socket inodes among `/proc/<pid>/fd/*` (links read `socket:[inode]`); empty for a gone or foreign process. */
export function socketInodesOf(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds.slice(0, MAX_DESCRIPTORS)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // Closed between the listing and the read.
    }
  }
  return inodes;
}

function readUdpTables(): UdpSocketEntry[] | null {
  let any = false;
  const entries: UdpSocketEntry[] = [];
  for (const [file, family] of [['/proc/net/udp', 4], ['/proc/net/udp6', 6]] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    any = true;
    for (const line of text.split('\n').slice(1, MAX_TABLE_LINES)) {
      const entry = parseTableLine(line, family);
      if (entry) entries.push(entry);
    }
  }
  return any ? entries : null;
}

// `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ...`
function parseTableLine(line: string, family: 4 | 6): UdpSocketEntry | null {
  const fields = line.trim().split(/\s+/);
  const local = fields[1];
  const inode = fields[9];
  if (local === undefined || inode === undefined || !/^\d+$/.test(inode)) return null;
  const [hexAddress, hexPort] = local.split(':');
  if (hexAddress === undefined || hexPort === undefined || !/^[0-9A-F]{4}$/i.test(hexPort)) return null;
  const address = family === 4 ? decodeIpv4(hexAddress) : decodeIpv6(hexAddress);
  if (address === null) return null;
  return { address, port: parseInt(hexPort, 16), inode };
}

// The kernel prints each 32-bit word of the address in host byte order.
const WORD_BYTE_OFFSETS = os.endianness() === 'LE' ? [6, 4, 2, 0] : [0, 2, 4, 6];

function wordBytes(hex: string): number[] {
  return WORD_BYTE_OFFSETS.map((at) => parseInt(hex.slice(at, at + 2), 16));
}

function decodeIpv4(hex: string): string | null {
  if (!/^[0-9A-F]{8}$/i.test(hex)) return null;
  return wordBytes(hex).join('.');
}

function decodeIpv6(hex: string): string | null {
  if (!/^[0-9A-F]{32}$/i.test(hex)) return null;
  const bytes = [0, 8, 16, 24].flatMap((at) => wordBytes(hex.slice(at, at + 8)));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return canonicalAddress(groups.join(':'));
}

/** One spelling per address: IPv4-mapped IPv6 as its IPv4 form, IPv6 compressed. */
function canonicalAddress(address: string): string {
  if (!net.isIPv6(address)) return address;
  const compressed = new net.SocketAddress({ address, family: 'ipv6' }).address;
  return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(compressed)?.[1] ?? compressed;
}
