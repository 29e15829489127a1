// Test support: spring-dedicated started from a generated host script, with our autohost interface listening first.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AutohostStartRequestData } from 'tachyon-protocol/types';
import type { AutohostEvent } from '../../src-main/core/engine/autohost-interface';
import { AutohostInterface } from '../../src-main/core/engine/autohost-interface';
import { buildHostScript } from '../../src-main/core/engine/start-script';

/** A free port from the OS: bind UDP to 0, read it, close (the engine uses it for UDP game traffic). */
export async function freePort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface RealHost {
  port: number;
  iface: AutohostInterface;
  events: AutohostEvent[];
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export async function startRealHost(dir: string, contentDir: string, battle: AutohostStartRequestData, settings: Record<string, string | number> = {}): Promise<RealHost> {
  const iface = await AutohostInterface.open();
  const events: AutohostEvent[] = [];
  iface.onEvent((event) => events.push(event));
  const port = await freePort();
  await mkdir(dir, { recursive: true });
  const scriptPath = path.join(dir, 'script.txt');
  await writeFile(scriptPath, buildHostScript(battle, { hostIp: '127.0.0.1', hostPort: port, autohostIp: '127.0.0.1', autohostPort: iface.port }), { mode: 0o600 });
  const cfg = { InitialNetworkTimeout: 10, AllowSpectatorJoin: 0, WhiteListAdditionalPlayers: 1, ...settings };
  await writeFile(path.join(dir, 'springsettings.cfg'), Object.entries(cfg).map(([k, v]) => `${k} = ${v}\n`).join(''));
  const started = iface.waitFor('started', 10_000);
  const child = spawn('/usr/games/spring-dedicated', ['--isolation-dir', contentDir, scriptPath], {
    env: { PATH: '/usr/bin:/bin', HOME: dir, SPRING_WRITEDIR: dir, SPRING_DATADIR: '/usr/share/games/spring' },
    stdio: 'ignore',
  });
  if (child.pid !== undefined) iface.expectEngine(child.pid);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await started;
  return {
    port,
    iface,
    events,
    child,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await iface.close();
    },
  };
}
