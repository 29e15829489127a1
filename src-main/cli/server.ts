// Runs the embedded Tachyon server on its own: `npm run server -- --port 8200 --users alice,bob --tokens-out tokens.json`.
import { writeFileSync } from 'node:fs';
import { TachyonServer } from '../core/server/tachyon-server';
import { createLogger, type LogLevel } from '../core/log';
import { parseCommandLine, runCommand } from './args';
import { printable } from './headless-report';

const SPEC = {
  port: { type: 'string', description: 'TCP port on 127.0.0.1 (default 8200; 0 picks a free one)' },
  users: { type: 'string', description: 'comma-separated player names to create' },
  'tokens-out': { type: 'string', description: 'write {"name": "<token>"} for those players to this file (mode 0600) once listening' },
  'no-autohost': { type: 'boolean', description: 'do not start the local autohost (matches then need an autohost that connects by itself)' },
  'log-level': { type: 'string', description: 'stderr log level: debug, info (default), warn, error' },
  help: { type: 'boolean', description: 'show this help' },
} as const;

async function main(): Promise<number> {
  const args = parseCommandLine('server', process.argv.slice(2), SPEC);
  if (typeof args === 'number') return args;
  const port = Number(args.port ?? 8200);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('server: --port must be an integer 0-65535\n');
    return 64;
  }
  const names = (args.users ?? '').split(',').map((n) => n.trim()).filter((n) => n.length > 0);
  const bad = names.find((n) => !/^[A-Za-z0-9_[\]-]{1,32}$/.test(n));
  if (bad !== undefined) {
    process.stderr.write(`server: player names may use letters, digits, _ - [ ] (1-32 characters): ${JSON.stringify(printable(bad, 40))}\n`);
    return 64;
  }
  const level = (args['log-level'] ?? 'info') as LogLevel;
  const logger = createLogger((lvl, scope, message) => process.stderr.write(`${lvl} ${scope}: ${printable(message, 2000)}\n`), level, 'server');
  const server = new TachyonServer({
    logger,
    playlists: [{ id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: 'Tachyon Test Game', map: 'Tachyon Test Map' }],
  });
  const tokens: Record<string, string> = {};
  for (const name of names) tokens[name] = server.addPlayer(name).token;
  const base = await server.listen(port);
  if (args['tokens-out']) writeFileSync(args['tokens-out'], `${JSON.stringify(tokens)}\n`, { mode: 0o600 });
  process.stdout.write(`Tachyon server listening on ${base} (players: ${names.join(', ') || 'none'})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.close();
  return 0;
}

runCommand('server', main);
