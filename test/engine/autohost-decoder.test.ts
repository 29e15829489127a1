// The autohost UDP decoder on crafted packets (layouts of the engine's AutohostInterface.cpp), and command encoding.
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { AutohostInterface, decodeAutohostPacket, encodeChat, encodeCommand } from '../../src-main/core/engine/autohost-interface';

const bytes = (...parts: Array<number | string | Buffer>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));

describe('decodeAutohostPacket', () => {
  it('decodes started, quit, message and warning', () => {
    expect(decodeAutohostPacket(bytes(0))).toEqual({ type: 'started' });
    expect(decodeAutohostPacket(bytes(1))).toEqual({ type: 'quit' });
    expect(decodeAutohostPacket(bytes(4, ' -> Incorrect password'))).toEqual({ type: 'message', text: ' -> Incorrect password' });
    expect(decodeAutohostPacket(bytes(5, 'careful'))).toEqual({ type: 'warning', text: 'careful' });
  });

  it('decodes start playing with its size, game id and demo path', () => {
    const gameId = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const demo = '/tmp/demo.sdfz';
    const size = Buffer.alloc(4);
    size.writeUInt32LE(1 + 4 + 16 + demo.length);
    expect(decodeAutohostPacket(bytes(2, size, gameId, demo))).toEqual({ type: 'start_playing', gameId: '000102030405060708090a0b0c0d0e0f', demoPath: demo });
    size.writeUInt32LE(99);
    expect(decodeAutohostPacket(bytes(2, size, gameId, demo))).toMatchObject({ type: 'undecodable', packetType: 2 });
  });

  it('decodes game over as [type, size, player, winners...]', () => {
    expect(decodeAutohostPacket(bytes(3, 5, 1, 0, 2))).toEqual({ type: 'game_over', player: 1, winningAllyTeams: [0, 2] });
    expect(decodeAutohostPacket(bytes(3, 3, 0))).toEqual({ type: 'game_over', player: 0, winningAllyTeams: [] });
    expect(decodeAutohostPacket(bytes(3, 9, 0, 1))).toMatchObject({ type: 'undecodable' });
  });

  it('decodes player joined, left (all reasons), ready, defeated', () => {
    expect(decodeAutohostPacket(bytes(10, 1, 'Bob'))).toEqual({ type: 'player_joined', player: 1, name: 'Bob' });
    expect(decodeAutohostPacket(bytes(11, 0, 0))).toEqual({ type: 'player_left', player: 0, reason: 'lost_connection' });
    expect(decodeAutohostPacket(bytes(11, 0, 1))).toEqual({ type: 'player_left', player: 0, reason: 'left' });
    expect(decodeAutohostPacket(bytes(11, 3, 2))).toEqual({ type: 'player_left', player: 3, reason: 'kicked' });
    expect(decodeAutohostPacket(bytes(11, 3, 7))).toMatchObject({ type: 'undecodable', reason: 'unknown leave reason' });
    expect(decodeAutohostPacket(bytes(12, 2, 1))).toEqual({ type: 'player_ready', player: 2, state: 'ready' });
    expect(decodeAutohostPacket(bytes(14, 4))).toEqual({ type: 'player_defeated', player: 4 });
  });

  it('decodes chat with every destination', () => {
    expect(decodeAutohostPacket(bytes(13, 1, 254, 'hi'))).toEqual({ type: 'player_chat', player: 1, destination: { kind: 'all' }, text: 'hi', secret: false });
    expect(decodeAutohostPacket(bytes(13, 1, 252, 'a'))).toMatchObject({ destination: { kind: 'allies' } });
    expect(decodeAutohostPacket(bytes(13, 1, 253, 's'))).toMatchObject({ destination: { kind: 'spectators' } });
    expect(decodeAutohostPacket(bytes(13, 1, 255, 'x'))).toMatchObject({ destination: { kind: 'server' } });
    expect(decodeAutohostPacket(bytes(13, 1, 3, 'pm'))).toMatchObject({ destination: { kind: 'player', player: 3 } });
    expect(decodeAutohostPacket(bytes(15, 1, 255, 'secret'))).toMatchObject({ type: 'player_chat', secret: true });
  });

  it('decodes luamsg packets as the engine forwards them (seen on engine 106)', () => {
    const data = Buffer.from('tachyon-test-luamsg');
    const size = Buffer.alloc(2);
    size.writeUInt16LE(7 + data.length);
    expect(decodeAutohostPacket(bytes(20, 50, size, 1, 100, 0, 0, data))).toEqual({ type: 'luamsg', player: 1, script: 'rules', data });
    expect(decodeAutohostPacket(bytes(20, 50, size, 2, 0xd0, 0x07, 0x61, data))).toEqual({ type: 'luamsg', player: 2, script: 'ui', uiMode: 'allies', data });
    expect(decodeAutohostPacket(bytes(20, 50, size, 2, 0x2c, 0x01, 0, data))).toMatchObject({ script: 'gaia' });
    expect(decodeAutohostPacket(bytes(20, 51, size, 1, 100, 0, 0, data))).toMatchObject({ type: 'undecodable' });
    expect(decodeAutohostPacket(bytes(20, 50, size, 1, 7, 0, 0, data))).toMatchObject({ type: 'undecodable', reason: 'unknown luamsg script' });
    expect(decodeAutohostPacket(bytes(20, 50, size, 1, 0xd0, 0x07, 9, data))).toMatchObject({ type: 'undecodable', reason: 'unknown luamsg ui mode' });
  });

  it('decodes team statistics', () => {
    const packet = Buffer.alloc(82);
    packet[0] = 60;
    packet[1] = 1;
    packet.writeInt32LE(120, 2);
    packet.writeFloatLE(1.5, 6);
    packet.writeInt32LE(7, 78);
    const event = decodeAutohostPacket(packet);
    expect(event).toMatchObject({ type: 'team_stat', team: 1, stats: { frame: 120, metalUsed: 1.5, unitsKilled: 7 } });
    expect(decodeAutohostPacket(bytes(60, 2, 0, 0))).toEqual({ type: 'team_stat', team: 2 });
  });

  it('reports short, empty and unknown packets instead of throwing', () => {
    const garbage = [
      Buffer.alloc(0), bytes(2), bytes(2, 1, 2, 3), bytes(3), bytes(10), bytes(11, 1), bytes(12, 1), bytes(13, 1), bytes(14), bytes(20, 50), bytes(60),
      bytes(99, 1, 2), bytes(255),
    ];
    for (const packet of garbage) expect(decodeAutohostPacket(packet).type).toBe('undecodable');
  });
});

describe('encoding commands and chat', () => {
  it('doubles a leading slash in chat and bounds its length', () => {
    expect(encodeChat('hello').toString()).toBe('hello');
    expect(encodeChat('/kill').toString()).toBe('//kill');
    expect(() => encodeChat('x'.repeat(128))).toThrow();
    expect(() => encodeChat('a\nb')).toThrow();
  });

  it('builds /command lines and refuses unsafe names and arguments', () => {
    expect(encodeCommand('kick', ['Bob']).toString()).toBe('/kick Bob');
    expect(encodeCommand('adduser', ['Carol', 'pw', '1']).toString()).toBe('/adduser Carol pw 1');
    expect(encodeCommand('say', ['hello there']).toString()).toBe('/say hello there');
    for (const [command, args] of [['Kick', []], ['kick me', []], ['kick', ['a b', 'c']], ['kick', ['']], ['kick', ['a//b']], ['kick', ['a\nb']]] as const) {
      expect(() => encodeCommand(command, [...args])).toThrow();
    }
  });
});

describe('AutohostInterface socket', () => {
  const sockets: dgram.Socket[] = [];
  const ifaces: AutohostInterface[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    for (const i of ifaces.splice(0)) await i.close();
  });

  it('receives from the engine, answers to its source port, and ignores other senders', async () => {
    const iface = await AutohostInterface.open();
    ifaces.push(iface);
    expect(iface.host).toBe('127.0.0.1');
    const engine = dgram.createSocket('udp4');
    const stranger = dgram.createSocket('udp4');
    sockets.push(engine, stranger);
    await new Promise<void>((r) => engine.bind(0, '127.0.0.1', () => r()));
    const events: unknown[] = [];
    const problems: unknown[] = [];
    iface.onEvent((e) => events.push(e));
    iface.onUndecodable((p) => problems.push(p));
    await expect(iface.sendChat('too early')).rejects.toThrow(/not contacted/);
    // The stand-in engine is a socket of this process.
    iface.expectEngine(process.pid);
    const started = iface.waitFor('started', 2000);
    engine.send(Buffer.from([0]), iface.port, '127.0.0.1');
    await started;
    const received = new Promise<string>((resolve) => engine.once('message', (m) => resolve(m.toString())));
    await iface.sendCommand('kick', ['Bob']);
    expect(await received).toBe('/kick Bob');
    stranger.send(Buffer.from([1]), iface.port, '127.0.0.1');
    engine.send(Buffer.from([99]), iface.port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual([{ type: 'started' }]);
    // UDP from two sockets may arrive in either order.
    expect(problems).toHaveLength(2);
    expect(problems).toContainEqual(expect.objectContaining({ reason: 'packet from another address than the engine' }));
    expect(problems).toContainEqual(expect.objectContaining({ reason: 'unknown packet type', packetType: 99 }));
  });
});
