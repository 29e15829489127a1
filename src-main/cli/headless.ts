// The headless client: the lobby core with a stdout shell. One line per meaningful change (or JSON lines with --json); errors on stderr; never a secret.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createLobbyApp } from '../core/lobby-app';
import { createLogger, type LogLevel } from '../core/log';
import { HeadlessReport, humanLine, printable, type HeadlessRecord } from './headless-report';
import { parseArgs, usage, UsageError } from './args';

const SPEC = {
  server: { type: 'string', description: 'http(s) base address of the Tachyon server (plain http only for 127.0.0.1/localhost)' },
  token: { type: 'string', description: 'access token (prefer the TACHYON_TOKEN environment variable: it does not show in ps)' },
  'data-dir': { type: 'string', description: 'where the client keeps its files (default ~/.tachyon-lobby)' },
  json: { type: 'boolean', description: 'print one JSON object per line: {"at": <epoch ms>, "kind": ..., ...}' },
  queue: { type: 'list', description: 'queue for this playlist id once connected' },
  'auto-ready': { type: 'boolean', description: 'ready up as soon as a match is found' },
  'log-level': { type: 'string', description: 'stderr log level: debug, info, warn (default), error' },
  help: { type: 'boolean', description: 'show this help' },
} as const;

/** Exit codes scripts can branch on. */
const EXIT = { ok: 0, usage: 64, incompatible: 2, unauthorized: 3 } as const;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2), SPEC);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`headless: ${error.message}\n${usage('npm run headless --', SPEC)}`);
      return EXIT.usage;
    }
    throw error;
  }
  if (args.help) {
    process.stdout.write(usage('npm run headless --', SPEC));
    return EXIT.ok;
  }
  const token = args.token ?? process.env.TACHYON_TOKEN;
  if (!args.server || !token) {
    process.stderr.write(`headless: --server and a token (--token or TACHYON_TOKEN) are required\n${usage('npm run headless --', SPEC)}`);
    return EXIT.usage;
  }
  const level = (['debug', 'info', 'warn', 'error'].includes(args['log-level'] ?? '') ? args['log-level'] : 'warn') as LogLevel;
  const logger = createLogger((lvl, scope, message) => process.stderr.write(`${lvl} ${scope}: ${printable(message, 2000)}\n`), level, 'headless');
  const json = args.json === true;
  const emit = (record: HeadlessRecord) => {
    process.stdout.write(json ? `${JSON.stringify({ at: Date.now(), ...record })}\n` : `${humanLine(record)}\n`);
  };

  let app;
  try {
    app = createLobbyApp({ serverUrl: args.server, getToken: () => token, dataDir: args['data-dir'] ?? join(homedir(), '.tachyon-lobby'), logger, autoConnect: false });
  } catch (error) {
    process.stderr.write(`headless: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.usage;
  }
  const report = new HeadlessReport(app.snapshot());
  const queues = args.queue ?? [];
  let queued = false;
  let exitCode: number | null = null;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => { finish = resolve; });

  app.onPatch((patch) => {
    for (const record of report.records(patch)) emit(record);
    const snap = patch.slice === 'matchmaking' || patch.slice === 'connection' ? app.snapshot() : null;
    if (!snap) return;
    if (patch.slice === 'connection' && (patch.value.phase === 'incompatible' || patch.value.phase === 'unauthorized')) {
      process.stderr.write(`headless: ${patch.value.message ?? patch.value.phase}\n`);
      exitCode = patch.value.phase === 'incompatible' ? EXIT.incompatible : EXIT.unauthorized;
      finish();
    }
    if (queues.length > 0 && !queued && snap.connection.phase === 'connected' && snap.matchmaking.playlists.length > 0) {
      queued = true;
      app.intents.queue(queues).catch((error: Error) => process.stderr.write(`headless: could not queue: ${printable(error.message)}\n`));
    }
    if (args['auto-ready'] && patch.slice === 'matchmaking' && patch.value.phase === 'found') {
      app.intents.ready().catch((error: Error) => process.stderr.write(`headless: could not ready: ${printable(error.message)}\n`));
    }
  });

  const stop = () => finish();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  app.start();
  await finished;
  await app.close();
  return exitCode ?? EXIT.ok;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`headless: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
