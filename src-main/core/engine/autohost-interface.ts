// The engine's UDP autohost interface: decodes spring-dedicated's packets into typed events and sends it commands and chat.
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { EngineFirstPacket } from './engine-first-packet';

// Packet layouts follow the engine's rts/Net/AutohostInterface.cpp (checked against engine 106 on this machine).
export const PacketType = {
  serverStarted: 0,
  serverQuit: 1,
  serverStartPlaying: 2,
  serverGameOver: 3,
  serverMessage: 4,
  serverWarning: 5,
  playerJoined: 10,
  playerLeft: 11,
  playerReady: 12,
  playerChat: 13,
  playerDefeated: 14,
  playerSecretChat: 15,
  gameLuaMsg: 20,
  gameTeamStat: 60,
} as const;

export type LeaveReason = 'lost_connection' | 'left' | 'kicked';
export type ReadyState = 'not_ready' | 'ready' | 'forced' | 'failed';
/** Chat destination: everyone (254), allies (252), spectators (253), the server (255) or one player number. */
export type ChatDestination =
  | { kind: 'all' }
  | { kind: 'allies' }
  | { kind: 'spectators' }
  | { kind: 'server' }
  | { kind: 'player'; player: number };
export type LuaMsgScript = 'ui' | 'gaia' | 'rules';
export type LuaMsgUiMode = 'all' | 'allies' | 'spectators';

export interface TeamStatistics {
  frame: number;
  metalUsed: number;
  energyUsed: number;
  metalProduced: number;
  energyProduced: number;
  metalExcess: number;
  energyExcess: number;
  metalReceived: number;
  energyReceived: number;
  metalSent: number;
  energySent: number;
  damageDealt: number;
  damageReceived: number;
  unitsProduced: number;
  unitsDied: number;
  unitsReceived: number;
  unitsSent: number;
  unitsCaptured: number;
  unitsOutCaptured: number;
  unitsKilled: number;
}

export type AutohostEvent =
  | { type: 'started' }
  | { type: 'quit' }
  | { type: 'start_playing'; gameId: string; demoPath: string }
  | { type: 'game_over'; player: number; winningAllyTeams: number[] }
  | { type: 'message'; text: string }
  | { type: 'warning'; text: string }
  | { type: 'player_joined'; player: number; name: string }
  | { type: 'player_left'; player: number; reason: LeaveReason }
  | { type: 'player_ready'; player: number; state: ReadyState }
  | { type: 'player_chat'; player: number; destination: ChatDestination; text: string; secret: boolean }
  | { type: 'player_defeated'; player: number }
  | { type: 'luamsg'; player: number; script: LuaMsgScript; uiMode?: LuaMsgUiMode; data: Buffer }
  | { type: 'team_stat'; team: number; stats?: TeamStatistics };

/** A packet that could not be decoded: reported, never thrown, so one odd packet cannot stop a battle's updates. */
export interface UndecodablePacket {
  type: 'undecodable';
  packetType: number | undefined;
  reason: string;
  length: number;
}

export type DecodeResult = AutohostEvent | UndecodablePacket;

const LEAVE_REASONS: readonly LeaveReason[] = ['lost_connection', 'left', 'kicked'];
const READY_STATES: readonly ReadyState[] = ['not_ready', 'ready', 'forced', 'failed'];
const LUAMSG_MAGIC = 50; // NETMSG_LUAMSG: the engine forwards the whole net message
const LUAMSG_SCRIPTS: Readonly<Record<number, LuaMsgScript>> = { 2000: 'ui', 300: 'gaia', 100: 'rules' };
const LUAMSG_UI_MODES: Readonly<Record<number, LuaMsgUiMode>> = { 0: 'all', 0x61: 'allies', 0x73: 'spectators' };
const TEAMSTAT_LENGTH = 2 + 4 + 12 * 4 + 7 * 4; // type, team, frame, 12 floats, 7 ints

function undecodable(packet: Buffer, reason: string): UndecodablePacket {
  return { type: 'undecodable', packetType: packet[0], reason, length: packet.length };
}

// Engine strings are raw bytes with no terminator; names and chat are UTF-8 in practice.
function text(packet: Buffer, from: number): string {
  return packet.toString('utf8', from);
}

function chatDestination(value: number): ChatDestination {
  switch (value) {
    case 252:
      return { kind: 'allies' };
    case 253:
      return { kind: 'spectators' };
    case 254:
      return { kind: 'all' };
    case 255:
      return { kind: 'server' };
    default:
      return { kind: 'player', player: value };
  }
}

export function decodeAutohostPacket(packet: Buffer): DecodeResult {
  if (packet.length === 0) return undecodable(packet, 'empty packet');
  const type = packet.readUInt8(0);
  switch (type) {
    case PacketType.serverStarted:
      return { type: 'started' };
    case PacketType.serverQuit:
      return { type: 'quit' };
    case PacketType.serverStartPlaying: {
      if (packet.length < 21) return undecodable(packet, 'start playing packet too short');
      const size = packet.readUInt32LE(1);
      if (size !== packet.length) return undecodable(packet, 'start playing size does not match the packet');
      return { type: 'start_playing', gameId: packet.toString('hex', 5, 21), demoPath: text(packet, 21) };
    }
    case PacketType.serverGameOver: {
      if (packet.length < 3) return undecodable(packet, 'game over packet too short');
      // [type, size, reporting player, winners...]: the size byte comes before the player, whatever old comments say.
      if (packet.readUInt8(1) !== packet.length) return undecodable(packet, 'game over size does not match the packet');
      return { type: 'game_over', player: packet.readUInt8(2), winningAllyTeams: [...packet.subarray(3)] };
    }
    case PacketType.serverMessage:
      return { type: 'message', text: text(packet, 1) };
    case PacketType.serverWarning:
      return { type: 'warning', text: text(packet, 1) };
    case PacketType.playerJoined:
      if (packet.length < 2) return undecodable(packet, 'player joined packet too short');
      return { type: 'player_joined', player: packet.readUInt8(1), name: text(packet, 2) };
    case PacketType.playerLeft: {
      if (packet.length < 3) return undecodable(packet, 'player left packet too short');
      const reason = LEAVE_REASONS[packet.readUInt8(2)];
      if (reason === undefined) return undecodable(packet, 'unknown leave reason');
      return { type: 'player_left', player: packet.readUInt8(1), reason };
    }
    case PacketType.playerReady: {
      if (packet.length < 3) return undecodable(packet, 'player ready packet too short');
      const state = READY_STATES[packet.readUInt8(2)];
      if (state === undefined) return undecodable(packet, 'unknown ready state');
      return { type: 'player_ready', player: packet.readUInt8(1), state };
    }
    case PacketType.playerChat:
    case PacketType.playerSecretChat:
      if (packet.length < 3) return undecodable(packet, 'chat packet too short');
      return {
        type: 'player_chat',
        player: packet.readUInt8(1),
        destination: chatDestination(packet.readUInt8(2)),
        text: text(packet, 3),
        secret: type === PacketType.playerSecretChat,
      };
    case PacketType.playerDefeated:
      if (packet.length < 2) return undecodable(packet, 'player defeated packet too short');
      return { type: 'player_defeated', player: packet.readUInt8(1) };
    case PacketType.gameLuaMsg:
      return decodeLuaMsg(packet);
    case PacketType.gameTeamStat: {
      if (packet.length < 2) return undecodable(packet, 'team stat packet too short');
      const team = packet.readUInt8(1);
      // Statistics are decoded only in the layout we know; other engines may add fields.
      return packet.length === TEAMSTAT_LENGTH ? { type: 'team_stat', team, stats: decodeTeamStatistics(packet) } : { type: 'team_stat', team };
    }
    default:
      return undecodable(packet, 'unknown packet type');
  }
}

function decodeLuaMsg(packet: Buffer): DecodeResult {
  // [20, 50, uint16 size, uint8 player, uint16 script, uint8 uiMode, data...]; size counts from the magic byte.
  if (packet.length < 8) return undecodable(packet, 'luamsg packet too short');
  if (packet.readUInt8(1) !== LUAMSG_MAGIC) return undecodable(packet, 'luamsg without its net message header');
  if (packet.readUInt16LE(2) !== packet.length - 1) return undecodable(packet, 'luamsg size does not match the packet');
  const script = LUAMSG_SCRIPTS[packet.readUInt16LE(5)];
  if (script === undefined) return undecodable(packet, 'unknown luamsg script');
  const mode = packet.readUInt8(7);
  const event: AutohostEvent = { type: 'luamsg', player: packet.readUInt8(4), script, data: Buffer.from(packet.subarray(8)) };
  if (script === 'ui') {
    const uiMode = LUAMSG_UI_MODES[mode];
    if (uiMode === undefined) return undecodable(packet, 'unknown luamsg ui mode');
    event.uiMode = uiMode;
  }
  return event;
}

function decodeTeamStatistics(packet: Buffer): TeamStatistics {
  let at = 2;
  const int = () => {
    const v = packet.readInt32LE(at);
    at += 4;
    return v;
  };
  const float = () => {
    const v = packet.readFloatLE(at);
    at += 4;
    return v;
  };
  return {
    frame: int(),
    metalUsed: float(),
    energyUsed: float(),
    metalProduced: float(),
    energyProduced: float(),
    metalExcess: float(),
    energyExcess: float(),
    metalReceived: float(),
    energyReceived: float(),
    metalSent: float(),
    energySent: float(),
    damageDealt: float(),
    damageReceived: float(),
    unitsProduced: int(),
    unitsDied: int(),
    unitsReceived: int(),
    unitsSent: int(),
    unitsCaptured: int(),
    unitsOutCaptured: int(),
    unitsKilled: int(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Outgoing: the engine reads a packet as one NUL-terminated line; a leading `/` runs a command, else it is host chat.

export class AutohostCommandError extends Error {
  override readonly name = 'AutohostCommandError';
}

// eslint-disable-next-line no-control-regex
const UNSENDABLE = /[\u0000-\u001f\u007f]/;

/** Host chat. A leading `/` is doubled so the text is said, not run (the engine turns `//x` into the chat `/x`). */
export function encodeChat(message: string): Buffer {
  if (UNSENDABLE.test(message)) throw new AutohostCommandError('chat must not contain control characters or line breaks');
  const bytes = Buffer.from(message.startsWith('/') ? `/${message}` : message, 'utf8');
  if (bytes.length === 0 || bytes.length > 127) throw new AutohostCommandError('chat must be 1 to 127 bytes');
  return bytes;
}

/** `/command arg ...`: names like `kick`; arguments without control characters, `//` or empties; only the last may have spaces. */
export function encodeCommand(command: string, args: readonly string[] = []): Buffer {
  if (!/^[a-z0-9_-]+$/.test(command)) throw new AutohostCommandError('command name must match ^[a-z0-9_-]+$');
  args.forEach((arg, i) => {
    const last = i === args.length - 1;
    if (arg.length === 0 || UNSENDABLE.test(arg) || arg.includes('//') || (!last && /\s/.test(arg))) {
      throw new AutohostCommandError(`command argument ${i + 1} is empty, contains a control character or //, or has a space before the last argument`);
    }
  });
  const bytes = Buffer.from(['/' + command, ...args].join(' '), 'utf8');
  if (bytes.length > 1024) throw new AutohostCommandError('command too long');
  return bytes;
}

// ---------------------------------------------------------------------------------------------------------------
// The listener.

export type Unsubscribe = () => void;

export interface AutohostInterfaceOptions {
  /** Loopback by default: the engine only ever talks to it from the same machine. */
  host?: string;
  /** 0 (default) lets the OS choose; read `port` after `open()`. */
  port?: number;
}

/**
 * Listens for one engine's autohost packets. Open it before starting the engine: if the engine's first packet finds
 * the port closed, it closes its autohost socket for the whole game (Recoil's AutoHostInterface). Call `expectEngine(pid)` right
 * after spawning it: only then is a first packet taken, only a SERVER_STARTED, and only from a socket of that process.
 */
export class AutohostInterface {
  private socket: dgram.Socket | undefined;
  private engine: { address: string; port: number } | undefined;
  private readonly firstPacket = new EngineFirstPacket();
  private strayCount = 0;
  private readonly eventListeners = new Set<(event: AutohostEvent) => void>();
  private readonly problemListeners = new Set<(problem: UndecodablePacket) => void>();

  private constructor() {}

  static async open(options: AutohostInterfaceOptions = {}): Promise<AutohostInterface> {
    const iface = new AutohostInterface();
    const host = options.host ?? '127.0.0.1';
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port ?? 0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('message', (packet, remote) => iface.receive(packet, remote));
    // A send to a gone engine yields ICMP errors on some systems: they are not ours to crash on.
    socket.on('error', () => {});
    iface.socket = socket;
    return iface;
  }

  get port(): number {
    if (this.socket === undefined) throw new Error('autohost interface is closed');
    return (this.socket.address() as AddressInfo).port;
  }

  get host(): string {
    if (this.socket === undefined) throw new Error('autohost interface is closed');
    return (this.socket.address() as AddressInfo).address;
  }

  /** Whether an engine has sent anything yet (commands need its address). */
  get connected(): boolean {
    return this.engine !== undefined;
  }

  /** Packets dropped because they did not come from the engine (before it, or from another socket). */
  get strays(): number {
    return this.strayCount;
  }

  /** The engine was just spawned as `pid`: its first SERVER_STARTED makes its socket the only peer. */
  expectEngine(pid: number): void {
    this.firstPacket.expect(pid);
  }

  onEvent(listener: (event: AutohostEvent) => void): Unsubscribe {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onUndecodable(listener: (problem: UndecodablePacket) => void): Unsubscribe {
    this.problemListeners.add(listener);
    return () => this.problemListeners.delete(listener);
  }

  /** Resolves with the first event that matches, or rejects after `timeoutMs`. */
  waitFor<T extends AutohostEvent['type']>(
    type: T,
    timeoutMs: number,
    match: (event: Extract<AutohostEvent, { type: T }>) => boolean = () => true,
  ): Promise<Extract<AutohostEvent, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${type} packet from the engine within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onEvent((event) => {
        if (event.type !== type) return;
        const typed = event as Extract<AutohostEvent, { type: T }>;
        if (!match(typed)) return;
        clearTimeout(timer);
        off();
        resolve(typed);
      });
    });
  }

  sendChat(message: string): Promise<void> {
    return this.send(encodeChat(message));
  }

  sendCommand(command: string, args: readonly string[] = []): Promise<void> {
    return this.send(encodeCommand(command, args));
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.eventListeners.clear();
    this.problemListeners.clear();
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private send(bytes: Buffer): Promise<void> {
    const socket = this.socket;
    const engine = this.engine;
    if (socket === undefined) return Promise.reject(new Error('autohost interface is closed'));
    if (engine === undefined) return Promise.reject(new Error('the engine has not contacted the autohost interface yet'));
    // Reply from the bound port to the engine's source port: that is the only peer its connected socket accepts.
    return new Promise((resolve, reject) => socket.send(bytes, engine.port, engine.address, (error) => (error ? reject(error) : resolve())));
  }

  private receive(packet: Buffer, remote: dgram.RemoteInfo): void {
    if (this.engine === undefined) {
      const refused = this.firstPacket.problem(packet, remote);
      if (refused !== null) return this.stray(packet, refused);
      this.engine = { address: remote.address, port: remote.port };
    } else if (this.engine.address !== remote.address || this.engine.port !== remote.port) {
      return this.stray(packet, 'packet from another address than the engine');
    }
    const result = decodeAutohostPacket(packet);
    if (result.type === 'undecodable') {
      for (const listener of [...this.problemListeners]) listener(result);
      return;
    }
    for (const listener of [...this.eventListeners]) listener(result);
  }

  private stray(packet: Buffer, reason: string): void {
    this.strayCount++;
    const stray: UndecodablePacket = { type: 'undecodable', packetType: packet[0], reason, length: packet.length };
    for (const listener of [...this.problemListeners]) listener(stray);
  }
}
