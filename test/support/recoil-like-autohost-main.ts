// The child process behind recoil-like-autohost.ts: a LocalAutohost configured as recoil-autohost behaves where the two
// differ, printing one JSON line per update (with its engine's pid and port) and status. SIGTERM closes it; SIGKILL leaves its engines running, as
// a killed recoil-autohost does (their exit hook never runs).
import { LocalAutohost } from '../../src-main/core/autohost';
import { createMemoryLogger } from '../../src-main/core/log';
import { recoilSignIn } from './recoil-sign-in';

interface Config {
  serverUrl: string;
  clientId: string;
  contentDir: string;
  battlesDir: string;
  firstHostPort: number;
}

const config = JSON.parse(process.env.RECOIL_LIKE_CONFIG ?? '{}') as Config;
// The secret comes on stdin, never in argv or the environment.
const secret = await new Promise<string>((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  process.stdin.on('end', () => resolve(text.trim()));
});
const print = (record: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(record)}\n`);
const logger = createMemoryLogger('warn');
const autohost = new LocalAutohost({
  serverUrl: config.serverUrl,
  // Its sign-in: discovery must list response type "token", then Basic client_credentials without a scope.
  getToken: () => recoilSignIn(config.serverUrl, config.clientId, secret),
  engines: { engineBinaries: ['/usr/games/spring-dedicated'], includeSystem: false },
  contentDirs: [config.contentDir],
  battlesDir: config.battlesDir,
  // Its script: `ModHash = 1; MapHash = 1;` for hashes the request does not give.
  absentHash: '1',
  // Its ports: engineStartPort plus an offset counted from 1 in each process.
  firstHostPort: config.firstHostPort,
  // It does not look for the game and map: the engine finds out.
  checkContent: false,
  initialNetworkTimeoutSeconds: 10,
  backoff: { baseMs: 100, capMs: 500 },
  logger,
});
autohost.onUpdate((update) => print({ kind: 'update', battleId: update.battleId, type: update.update.type, port: autohost.hostedBattle(update.battleId)?.port ?? null, pid: autohost.enginePid(update.battleId) ?? null }));
autohost.onStatus((status) => print({ kind: 'status', ...status }));
process.once('SIGTERM', () => {
  void autohost.close().then(() => {
    for (const line of logger.lines) process.stderr.write(`${line}\n`);
    process.exit(0);
  });
});
await autohost.start();
print({ kind: 'started' });
