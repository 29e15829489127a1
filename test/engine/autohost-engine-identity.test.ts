// The autohost interface takes as its engine only the process it was told about: a local process that sends first is a stray and hears nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { AutohostInterface, type UndecodablePacket } from '../../src-main/core/engine/autohost-interface';
import { socketInodesOf, udpSenderIsProcess } from '../../src-main/core/engine/udp-socket-owner';

// A stand-in engine in its own process: one UDP socket; `send <port> <bytes hex>` sends, and every datagram it gets is printed.
const STAND_IN_ENGINE = `
const dgram = require('node:dgram');
const socket = dgram.createSocket('udp4');
socket.bind(0, '127.0.0.1', () => process.stdout.write('ready ' + socket.address().port + '\\n'));
socket.on('message', (m) => process.stdout.write('got ' + m.toString() + '\\n'));
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, port, hex] = line.split(' ');
  if (cmd === 'send') socket.send(Buffer.from(hex, 'hex'), Number(port), '127.0.0.1', () => process.stdout.write('sent\\n'));
});
`;

interface StandIn {
  child: ChildProcess;
  port: number;
  send(port: number, packet: Buffer): Promise<void>;
  nextReceived(): Promise<string>;
}

async function startStandIn(): Promise<StandIn> {
  const child = spawn(process.execPath, ['-e', STAND_IN_ENGINE], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: Array<(line: string) => void> = [];
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  const nextLine = () => new Promise<string>((resolve) => (lines.length > 0 ? resolve(lines.shift()!) : waiting.push(resolve)));
  const ready = await nextLine();
  return {
    child,
    port: Number(ready.split(' ')[1]),
    async send(port, packet) {
      child.stdin!.write(`send ${port} ${packet.toString('hex')}\n`);
      expect(await nextLine()).toBe('sent');
    },
    async nextReceived() {
      const line = await nextLine();
      expect(line.startsWith('got ')).toBe(true);
      return line.slice(4);
    },
  };
}

describe('AutohostInterface: only the spawned engine is the engine', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('drops packets before the spawn and a first-sending stray (SERVER_STARTED, forged game_over), then takes the engine, and commands go to it alone', async () => {
    const iface = await AutohostInterface.open();
    cleanups.push(() => iface.close());
    const engine = await startStandIn();
    cleanups.push(() => {
      engine.child.kill('SIGKILL');
    });
    const stray = dgram.createSocket('udp4');
    cleanups.push(() => new Promise<void>((resolve) => stray.close(() => resolve())));
    await new Promise<void>((resolve) => stray.bind(0, '127.0.0.1', () => resolve()));
    const heardByStray: Buffer[] = [];
    stray.on('message', (m) => heardByStray.push(m));

    const events: unknown[] = [];
    const problems: UndecodablePacket[] = [];
    let problemWaiter: (() => void) | null = null;
    iface.onEvent((e) => events.push(e));
    iface.onUndecodable((p) => {
      problems.push(p);
      problemWaiter?.();
    });
    const problemsReach = (count: number) =>
      new Promise<void>((resolve) => {
        problemWaiter = () => problems.length >= count && resolve();
        problemWaiter();
      });

    // Before the spawn nothing is the engine, not even the engine.
    await engine.send(iface.port, Buffer.from([0]));
    await problemsReach(1);
    iface.expectEngine(engine.child.pid!);
    // A local process that saw the port in /proc/net/udp races the engine: SERVER_STARTED, then a forged game_over.
    stray.send(Buffer.from([0]), iface.port, '127.0.0.1');
    await problemsReach(2);
    stray.send(Buffer.from([3, 4, 0, 1]), iface.port, '127.0.0.1');
    await problemsReach(3);
    expect(problems.map((p) => p.reason)).toEqual([
      'packet before the engine was started',
      "packet from a socket that is not the engine's",
      'first packet is not SERVER_STARTED',
    ]);
    expect(iface.connected).toBe(false);

    const started = iface.waitFor('started', 5_000);
    await engine.send(iface.port, Buffer.from([0]));
    await started;
    await iface.sendCommand('adduser', ['Bob', 's3cretPass', '1']);
    expect(await engine.nextReceived()).toBe('/adduser Bob s3cretPass 1');
    // After the engine is known, the stray's packets are strays too.
    stray.send(Buffer.from([3, 4, 0, 1]), iface.port, '127.0.0.1');
    await problemsReach(4);
    expect(problems[3]?.reason).toBe('packet from another address than the engine');
    expect(events).toEqual([{ type: 'started' }]);
    expect(iface.strays).toBe(4);
    // The command went to the engine's port only: the stray, which was never the engine, heard nothing.
    expect(heardByStray).toEqual([]);
  });

  it('reads socket ownership from /proc: our own socket is ours, the stand-in engine\'s is not', async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const engine = await startStandIn();
    try {
      expect(socketInodesOf(process.pid).size).toBeGreaterThan(0);
      expect(udpSenderIsProcess(process.pid, '127.0.0.1', socket.address().port)).toBe('yes');
      expect(udpSenderIsProcess(engine.child.pid!, '127.0.0.1', socket.address().port)).toBe('no');
      expect(udpSenderIsProcess(engine.child.pid!, '127.0.0.1', engine.port)).toBe('yes');
      expect(udpSenderIsProcess(engine.child.pid!, '::ffff:127.0.0.1', engine.port)).toBe('yes');
      expect(udpSenderIsProcess(process.pid, '127.0.0.2', socket.address().port)).toBe('no');
    } finally {
      engine.child.kill('SIGKILL');
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    }
  });
});
