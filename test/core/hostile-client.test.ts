// Hostile clients against the embedded server: broken frames, too many sockets, floods, junk HTTP. Each drops only the offender; the server keeps serving.
import { afterEach, describe, expect, it } from 'vitest';
import { TachyonServer, type TachyonServerOptions } from '../../src-main/core/server/tachyon-server';
import { autohostToken, clientFrame, rawUpgrade, serverStillServes } from './raw-client';

const servers: TachyonServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });

async function startServer(options: TachyonServerOptions = {}): Promise<TachyonServer> {
  const server = new TachyonServer(options);
  servers.push(server);
  await server.listen(0);
  return server;
}

const TEXT = 0x1;
const CLOSE = 0x8;
const closeCode = (code: number) => Buffer.from([code >> 8, code & 0xff]);

// Each is a frame ws refuses with an 'error' on the accepted socket (RFC 6455 §5.2, §5.6, §7.4.1).
const badFrames: { name: string; frame: () => Buffer; problem: RegExp }[] = [
  { name: 'a text frame that is not UTF-8', frame: () => clientFrame(TEXT, Buffer.from([0xff, 0xfe, 0xfd])), problem: /UTF-8/ },
  { name: 'a frame over the 4 MiB maxPayload', frame: () => clientFrame(TEXT, Buffer.alloc(0), { length: 5 * 1024 * 1024 }), problem: /max payload size/ },
  { name: 'a reserved opcode', frame: () => clientFrame(0x3, Buffer.from('x')), problem: /opcode/ },
  { name: 'a close frame with a forbidden code', frame: () => clientFrame(CLOSE, closeCode(1005)), problem: /status code/ },
];

describe('frame errors', () => {
  for (const kind of ['player', 'autohost'] as const) {
    for (const bad of badFrames) {
      it(`drops ${kind === 'player' ? 'a player' : 'an autohost'} that sends ${bad.name}, and keeps serving`, async () => {
        const server = await startServer();
        const token = kind === 'player' ? server.addPlayer('mallory').token : await autohostToken(server, 'evil-host');
        const raw = await rawUpgrade(server, token);
        raw.send(bad.frame());
        await raw.ended;
        expect(server.violations.join('\n')).toMatch(new RegExp(`${kind === 'player' ? 'user' : 'autohost'} .*bad frame: .*${bad.problem.source}`, 'i'));
        expect(await serverStillServes(server)).toBe(1);
      });
    }
  }
});
