// Runs the embedded Tachyon server on its own, with a local autohost or external ones: `npm run server -- --port 8200 --users alice,bob
// --tokens-out tokens.json [--autohost-client id --autohost-secrets-out secrets.json]`.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { contentArchiveReaders } from '../core/content';
import { startLocalPlay } from '../core/local-play';
import { createLogger, type LogLevel } from '../core/log';
import { EXIT_USAGE, parseCommandLine, runCommand } from './args';
import { printable } from './printable';
import { checkPrivatePath, writePrivateFile } from './private-file';

/** The client id local play registers for its own autohost (core/local-play). */
const LOCAL_AUTOHOST_CLIENT = 'local-autohost';

const SPEC = {
  port: { type: 'string', description: 'TCP port on 127.0.0.1 (default 8200; 0 picks a free one)' },
  users: { type: 'string', description: 'comma-separated player names to create' },
  'tokens-out': { type: 'string', description: 'write {"name": "<token>"} for those players to this file (a new 0600 file renamed into place; never through a symlink) once listening' },
  engine: { type: 'list', description: 'engine binary for the local autohost (e.g. /usr/games/spring-dedicated); default: installed engines' },
  content: { type: 'list', description: 'a data directory with games/ and maps/ to offer (default: the tiny test game and map)' },
  'data-dir': { type: 'string', description: 'where local play keeps its files (default ~/.tachyon-lobby/local-server)' },
  'no-autohost': { type: 'boolean', description: 'do not start the local autohost (matches then need an external autohost: see --autohost-client)' },
  'autohost-client': { type: 'list', description: 'register an external autohost (e.g. recoil-autohost) that signs in with client_credentials under this client id' },
  'autohost-secrets-out': { type: 'string', description: 'write {"<client id>": "<secret>"} for the --autohost-client ids to this file (a new 0600 file renamed into place; never through a symlink) once listening' },
  'check-assets': { type: 'boolean', description: 'before pairing, ask each queued player\'s lobby whether it has the playlist\'s engine, game and map (matchmaking/checkAssets); a lobby still downloading waits out of pairing' },
  'max-sockets': { type: 'string', description: 'WebSockets of all players and autohosts at once (default 1000; each player may hold 4)' },
  'log-level': { type: 'string', description: 'stderr log level: debug, info (default), warn, error' },
  help: { type: 'boolean', description: 'show this help' },
} as const;

async function main(): Promise<number> {
  const args = parseCommandLine('server', process.argv.slice(2), SPEC);
  if (typeof args === 'number') return args;
  const port = Number(args.port ?? 8200);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('server: --port must be an integer 0-65535\n');
    return EXIT_USAGE;
  }
  const maxSockets = Number(args['max-sockets'] ?? 1000);
  if (!Number.isInteger(maxSockets) || maxSockets < 1 || maxSockets > 100_000) {
    process.stderr.write('server: --max-sockets must be an integer 1-100000\n');
    return EXIT_USAGE;
  }
  const names = (args.users ?? '').split(',').map((n) => n.trim()).filter((n) => n.length > 0);
  const bad = names.find((n) => !/^[A-Za-z0-9_[\]-]{1,32}$/.test(n));
  if (bad !== undefined) {
    process.stderr.write(`server: player names may use letters, digits, _ - [ ] (1-32 characters): ${JSON.stringify(printable(bad, 40))}\n`);
    return EXIT_USAGE;
  }
  const autohostClients = [...new Set(args['autohost-client'] ?? [])];
  const badClient = autohostClients.find((id) => !/^[A-Za-z0-9_.-]{1,64}$/.test(id) || (id === LOCAL_AUTOHOST_CLIENT && !args['no-autohost']));
  if (badClient !== undefined) {
    process.stderr.write(`server: --autohost-client ids may use letters, digits, _ . - (1-64 characters), and ${LOCAL_AUTOHOST_CLIENT} is the local autohost's unless --no-autohost: ${JSON.stringify(printable(badClient, 70))}\n`);
    return EXIT_USAGE;
  }
  const secretsOut = args['autohost-secrets-out'] === undefined ? undefined : resolve(args['autohost-secrets-out']);
  if (secretsOut && autohostClients.length === 0) {
    process.stderr.write('server: --autohost-secrets-out needs at least one --autohost-client\n');
    return EXIT_USAGE;
  }
  const tokensOut = args['tokens-out'] === undefined ? undefined : resolve(args['tokens-out']);
  for (const [flag, path] of [['--tokens-out', tokensOut], ['--autohost-secrets-out', secretsOut]] as const) {
    try {
      if (path) checkPrivatePath(path);
    } catch (error) {
      process.stderr.write(`server: ${flag}: ${printable((error as Error).message, 600)}\n`);
      return EXIT_USAGE;
    }
  }
  const level = (['debug', 'info', 'warn', 'error'].includes(args['log-level'] ?? '') ? args['log-level'] : 'info') as LogLevel;
  const logger = createLogger((lvl, scope, message) => process.stderr.write(`${lvl} ${scope}: ${printable(message, 2000)}\n`), level, 'server');
  const engines = args.engine?.map((e) => resolve(e));
  const play = await startLocalPlay({
    dataDir: resolve(args['data-dir'] ?? join(homedir(), '.tachyon-lobby', 'local-server')),
    port,
    contentDirs: (args.content ?? []).map((d) => resolve(d)),
    engines: engines ? { engineBinaries: engines, includeSystem: false } : {},
    archiveReaders: contentArchiveReaders,
    autohost: !args['no-autohost'],
    ...(args['check-assets'] ? { assetCheck: {} } : {}),
    players: names,
    logger,
    limits: { sockets: maxSockets },
    // The consent page's proof: only someone who reads this console can sign a player in through a browser.
    showConsentCode: (prompt) => process.stderr.write(`sign-in: request ${prompt.label} from ${printable(prompt.clientId, 64)} (returns to ${printable(prompt.redirectUri, 600)}): code ${prompt.code}; type it on that page only if you just started this sign-in\n`),
  });
  // Registered once the server listens: an autohost started before this line would only be refused and retry.
  const secrets = Object.fromEntries(autohostClients.map((id) => [id, play.server.addAutohostClient(id).secret]));
  for (const [flag, path, body] of [['--tokens-out', tokensOut, play.tokens], ['--autohost-secrets-out', secretsOut, secrets]] as const) {
    if (!path) continue;
    try {
      writePrivateFile(path, `${JSON.stringify(body)}\n`);
    } catch (error) {
      await play.close();
      throw new Error(`${flag}: ${(error as Error).message}`);
    }
  }
  const playlists = play.server.matchmaker.playlistIds().join(', ');
  process.stdout.write(`Tachyon server listening on ${play.baseUrl} (players: ${names.join(', ') || 'none'}; playlists: ${playlists}; game ${JSON.stringify(play.content.game)} on ${JSON.stringify(play.content.map)}; autohost: ${[...(play.autohost ? ['local'] : []), ...autohostClients].join(', ') || 'none'})\n`);
  await new Promise<void>((done) => {
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  await play.close();
  return 0;
}

runCommand('server', main);
