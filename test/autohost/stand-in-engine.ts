// Test support: a stand-in spring-dedicated (a Node script) that speaks the UDP autohost protocol from its own process, as the real one does.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EngineRegistry } from '../../src-main/core/engine';

/** What the stand-in does once the autohost first sends it anything: packets, then console lines, then exit (or wait for /kill). */
export interface StandInPlan {
  packets: Buffer[];
  output?: string[];
  exitCode?: number;
}

// Reads the autohost port from its script, sends SERVER_STARTED, waits for the first command or chat, then plays
// the plan from `<world>/stand-in-plan.json` (the battle directory is `<world>/battles/battle-*`).
const SCRIPT = `
const fs = require('node:fs');
const path = require('node:path');
const dgram = require('node:dgram');
if (process.argv[2] === '--version') {
  console.log('spring-dedicated version 106.0 (Dedicated)');
  process.exit(0);
}
const script = fs.readFileSync(process.argv[process.argv.length - 1], 'utf8');
const port = Number(/AutohostPort=(\\d+);/.exec(script)[1]);
const plan = JSON.parse(fs.readFileSync(path.resolve(process.env.SPRING_WRITEDIR, '..', '..', 'stand-in-plan.json'), 'utf8'));
const socket = dgram.createSocket('udp4');
const send = (bytes) => new Promise((resolve) => socket.send(bytes, resolve));
let played = false;
socket.on('message', async (message) => {
  if (message.toString() === '/kill') {
    socket.close();
    return;
  }
  if (played) return;
  played = true;
  for (const hex of plan.packets) await send(Buffer.from(hex, 'hex'));
  for (const line of plan.output || []) console.log(line);
  if (plan.exitCode !== undefined) {
    process.exitCode = plan.exitCode;
    socket.close();
  }
});
socket.connect(port, '127.0.0.1', () => send(Buffer.from([0])));
`;

/** Writes the stand-in into `<dir>/engine` and returns a registry that offers it as engine 106.0. */
export async function standInEngine(dir: string): Promise<EngineRegistry> {
  const engineDir = path.join(dir, 'engine');
  await mkdir(engineDir, { recursive: true });
  const binary = path.join(engineDir, 'spring-dedicated');
  await writeFile(binary, `#!${process.execPath}\n${SCRIPT}`);
  await chmod(binary, 0o755);
  return EngineRegistry.discover({ engineDirs: [engineDir], includeSystem: false });
}

export async function writeStandInPlan(worldRoot: string, plan: StandInPlan): Promise<void> {
  const json = { packets: plan.packets.map((p) => p.toString('hex')), output: plan.output, exitCode: plan.exitCode };
  await writeFile(path.join(worldRoot, 'stand-in-plan.json'), JSON.stringify(json));
}

/** SERVER_MESSAGE (4) or SERVER_WARNING (5) with text. */
export function textPacket(type: 4 | 5, text: string): Buffer {
  return Buffer.concat([Buffer.from([type]), Buffer.from(text, 'utf8')]);
}

/** GAME_LUAMSG from player `player`, LuaRules: [20, 50, uint16 size, player, uint16 script, uiMode, data]. */
export function luamsgPacket(player: number, data: string): Buffer {
  const body = Buffer.from(data, 'utf8');
  const packet = Buffer.alloc(8 + body.length);
  packet.writeUInt8(20, 0);
  packet.writeUInt8(50, 1);
  packet.writeUInt16LE(packet.length - 1, 2);
  packet.writeUInt8(player, 4);
  packet.writeUInt16LE(100, 5);
  packet.writeUInt8(0, 7);
  body.copy(packet, 8);
  return packet;
}
