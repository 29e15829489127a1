// Which datagram may make its sender the autohost interface's engine: a SERVER_STARTED, after the spawn, from a socket of the spawned process.
import type dgram from 'node:dgram';
import { udpSenderIsProcess } from './udp-socket-owner';

// PacketType.serverStarted: the engine's first packet, sent once it listens (rts/Net/AutohostInterface.cpp).
const SERVER_STARTED = 0;
// A local process may race the engine to the port (it is listed in world-readable /proc/net/udp): senders found not
// to be the engine are remembered, so a flood from one socket costs one look at /proc; after this many distinct
// senders the battle's engine is given up on.
const MAX_SENDERS_CHECKED = 1024;

export class EngineFirstPacket {
  private pid: number | undefined;
  private readonly notEngine = new Set<string>();

  /** The engine was just spawned as `pid`. */
  expect(pid: number): void {
    if (!Number.isInteger(pid) || pid <= 0) throw new Error('expectEngine needs the engine\'s process id');
    this.pid = pid;
  }

  /** Why a would-be first packet is not the engine's, or null when it is. */
  problem(packet: Buffer, remote: dgram.RemoteInfo): string | null {
    if (this.pid === undefined) return 'packet before the engine was started';
    if (packet[0] !== SERVER_STARTED) return 'first packet is not SERVER_STARTED';
    const sender = `${remote.address} ${remote.port}`;
    const notTheEngine = "packet from a socket that is not the engine's";
    if (this.notEngine.has(sender)) return notTheEngine;
    if (this.notEngine.size >= MAX_SENDERS_CHECKED) return 'too many would-be engines';
    const ownership = udpSenderIsProcess(this.pid, remote.address, remote.port);
    switch (ownership) {
      case 'yes':
        return null;
      case 'no':
        this.notEngine.add(sender);
        return notTheEngine;
      case 'unknown':
        // No /proc (not Linux): the first SERVER_STARTED after the spawn is taken as the engine's, as before this
        // check existed, so a local process that wins the race there can still pose as the engine.
        return null;
      default:
        return assertNever(ownership);
    }
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled socket ownership ${String(value)}`);
}
