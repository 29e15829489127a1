// The headless client: the lobby core with a stdout shell. One line per meaningful change (or JSON lines with --json); errors on stderr; never a secret.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { EngineRegistry, type EngineClientKind } from '../core/engine';
import { createLobbyApp } from '../core/lobby-app';
import { contentAddress as checkContentAddress } from '../core/content';
import { createLogger, type LogLevel } from '../core/log';
import { loginInteractively, refreshOnUnauthorized, type TokenSession } from '../core/auth';
import { bearerTokenProblem } from '../core/connection/bearer-token';
import { HeadlessReport, humanLine, type HeadlessRecord } from './headless-report';
import { parseCommandLine, runCommand, usage } from './args';
import { jsonLine, printable } from './printable';
import { HeadlessLobbyDriver, type LobbyPlan, type LobbyStep } from './headless-lobby';
import type { CoreLobbyApp } from '../core/lobby-app';

const SPEC = {
  server: { type: 'string', description: 'http(s) base address of the Tachyon server (plain http only for 127.0.0.1/localhost)' },
  token: { type: 'string', description: 'access token (prefer the TACHYON_TOKEN environment variable: it does not show in ps)' },
  login: { type: 'boolean', description: 'sign in through the server\'s page: prints an address to open in a browser; the sign-in is remembered in the data dir' },
  'data-dir': { type: 'string', description: 'where the client keeps its files (default ~/.tachyon-lobby)' },
  json: { type: 'boolean', description: 'print one JSON object per line: {"at": <epoch ms>, "kind": ..., ...}' },
  queue: { type: 'list', description: 'queue for this playlist id once connected' },
  'auto-ready': { type: 'boolean', description: 'ready up as soon as a match is found (and, in a custom lobby, once seated)' },
  'lobby-create': { type: 'string', description: 'create a custom lobby of this name once connected (two sides; needs --lobby-map)' },
  'lobby-map': { type: 'string', description: 'the map of the lobby --lobby-create makes (its spring name)' },
  'lobby-join': { type: 'string', description: 'join the custom lobby of this id or name once it is listed (waits for it), and take a free place on a team' },
  'lobby-bot': { type: 'list', description: 'add a bot running this AI (its short name, e.g. NullAI) on the other side of the lobby' },
  'lobby-start-when': { type: 'string', description: 'as the creator, start the battle once this many players are on the lobby\'s teams (and every bot is in)' },
  engine: { type: 'string', description: 'engine binary to play with (e.g. /usr/games/spring-headless); default: installed engines, the GL client when a display is available' },
  content: { type: 'list', description: 'a data directory holding games/ and maps/ for the engine' },
  download: { type: 'boolean', description: 'download what a queue or a battle/start needs and is missing (from the production addresses unless given below)' },
  'rapid-master': { type: 'string', description: 'the rapid master list games are downloaded through (implies --download; default the production one)' },
  'files-api': { type: 'string', description: 'the files API maps and engines are downloaded through (implies --download; default the production one)' },
  'log-level': { type: 'string', description: 'stderr log level: debug (with the engine\'s console), info, warn (default), error' },
  help: { type: 'boolean', description: 'show this help' },
} as const;

/** Exit codes scripts can branch on. */
const EXIT = { ok: 0, usage: 64, incompatible: 2, unauthorized: 3 } as const;

/** Why a token given on the command line or in the environment cannot be sent, naming the usual slips; undefined when it can. */
function tokenInputProblem(token: string): string | undefined {
  // `TACHYON_TOKEN=$(cat token.txt)` keeps a CR from a CRLF file: say so rather than strip it, so nothing is guessed.
  if (/\r\n?$/.test(token)) return 'the token ends with a carriage return (the file has Windows line ends; remove them, e.g. with tr -d \'\\r\')';
  if (token.endsWith('\n')) return 'the token ends with a line feed (remove the line end)';
  if (/^\s|\s$/.test(token)) return 'the token starts or ends with a space';
  return bearerTokenProblem(token);
}

async function main(): Promise<number> {
  const args = parseCommandLine('headless', process.argv.slice(2), SPEC);
  if (typeof args === 'number') return args;
  const token = args.token ?? process.env.TACHYON_TOKEN;
  if (!args.server || (!token && !args.login)) {
    process.stderr.write(`headless: --server and either --login or a token (--token or TACHYON_TOKEN) are required\n${usage('npm run headless --', SPEC)}`);
    return EXIT.usage;
  }
  const problem = token ? tokenInputProblem(token) : undefined;
  if (problem) {
    process.stderr.write(`headless: the token from ${args.token !== undefined ? '--token' : 'TACHYON_TOKEN'} cannot be used: ${problem}\n`);
    return EXIT.usage;
  }
  const lobbyPlan = lobbyPlanOf(args);
  if (typeof lobbyPlan === 'string') {
    process.stderr.write(`headless: ${lobbyPlan}\n${usage('npm run headless --', SPEC)}`);
    return EXIT.usage;
  }
  const level = (['debug', 'info', 'warn', 'error'].includes(args['log-level'] ?? '') ? args['log-level'] : 'warn') as LogLevel;
  const logger = createLogger((lvl, scope, message) => process.stderr.write(`${lvl} ${scope}: ${printable(message, 2000)}\n`), level, 'headless');
  const json = args.json === true;
  const emit = (record: HeadlessRecord) => {
    // humanLine clips each field; printable over the whole line catches what its own cleaning leaves.
    process.stdout.write(json ? `${jsonLine({ at: Date.now(), ...record })}\n` : `${printable(humanLine(record), 10_000)}\n`);
  };

  const dataDir = resolve(args['data-dir'] ?? join(homedir(), '.tachyon-lobby'));
  let session: TokenSession | null = null;
  if (!token) {
    try {
      // The address goes to stderr with the other messages for a person, keeping stdout (and --json) machine-readable.
      session = await loginInteractively({ serverUrl: args.server, dataDir, print: (line) => process.stderr.write(`headless: ${line}\n`), logger: logger.child('auth') });
    } catch (error) {
      process.stderr.write(`headless: sign-in failed: ${printable(error instanceof Error ? error.message : String(error))}\n`);
      return EXIT.unauthorized;
    }
  }
  const getToken = session ? () => (session as TokenSession).getAccessToken() : () => token ?? '';
  const engineBinary = args.engine ? resolve(args.engine) : undefined;
  let binary: EngineClientKind = process.env.DISPLAY || process.env.WAYLAND_DISPLAY ? 'client' : 'headless';
  if (engineBinary) {
    const name = basename(engineBinary);
    if (name.startsWith('spring-dedicated')) {
      process.stderr.write('headless: --engine must be a client binary (spring or spring-headless), not spring-dedicated\n');
      return EXIT.usage;
    }
    binary = name.startsWith('spring-headless') ? 'headless' : 'client';
  }
  const runsDir = join(dataDir, 'engine-runs');
  mkdirSync(runsDir, { recursive: true, mode: 0o700 });
  const registry = EngineRegistry.discover(engineBinary ? { engineBinaries: [engineBinary], includeSystem: false } : {});
  void registry.then((r) => {
    for (const problem of r.problems) process.stderr.write(`headless: engine: ${printable(problem)}\n`);
    if (r.versions.length === 0) process.stderr.write('headless: no engine found: battles cannot be launched (install spring, or pass --engine)\n');
  });

  // What a queue or a battle/start needs and is missing is downloaded here first (the engine reads it before --content).
  const downloadDir = join(dataDir, 'content');
  mkdirSync(downloadDir, { recursive: true, mode: 0o700 });
  const contentAddress = (name: 'rapid-master' | 'files-api'): string | undefined => {
    const value = args[name];
    if (value === undefined) return undefined;
    return checkContentAddress(value, name === 'rapid-master' ? 'rapid master address' : 'files API address');
  };
  let app;
  try {
    const rapidMaster = contentAddress('rapid-master');
    const filesApi = contentAddress('files-api');
    app = createLobbyApp({
      serverUrl: args.server, getToken, dataDir, logger, autoConnect: false,
      engine: {
        registry, contentDirs: [downloadDir, ...(args.content ?? []).map((d) => resolve(d))], binary,
        runner: { tempBase: runsDir, replaysDir: join(dataDir, 'replays') },
      },
      // Downloads only when asked for: a script that names no content source gets the battle/start failure as before.
      ...(args.download || rapidMaster || filesApi ? { content: { dir: downloadDir, ...(rapidMaster ? { rapidMaster } : {}), ...(filesApi ? { filesApi } : {}) } } : {}),
    });
  } catch (error) {
    process.stderr.write(`headless: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.usage;
  }
  const report = new HeadlessReport(app.snapshot(), (userId) => app.user(userId)?.username);
  const queues = args.queue ?? [];
  let queued = false;
  let exitCode: number | null = null;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => { finish = resolve; });

  let lastPhase = report.view.matchmaking.phase;
  const lobbyDriver = new HeadlessLobbyDriver(lobbyPlan);
  const lobbyApp = app;
  const engineLog = logger.child('engine');
  app.onPatch((patch) => {
    for (const record of report.records(patch)) emit(record);
    // The engine's console (already redacted by the runner) for whoever debugs a battle: it is the only place the engine
    // says why a map, game or AI did not load.
    if (patch.slice === 'engineConsole' && level === 'debug') for (const line of patch.append) engineLog.debug(line.replace(/\t/g, '  '));
    if (lobbyDriver.active && (patch.slice === 'lobby' || patch.slice === 'lobbies' || patch.slice === 'self' || patch.slice === 'connection')) {
      const view = report.view;
      const steps = lobbyDriver.steps({
        signedIn: view.connection.phase === 'connected' && view.self !== null, selfId: view.self?.userId ?? null, lobbies: view.lobbies, lobby: view.lobby,
      });
      for (const step of steps) runLobbyStep(lobbyApp, step, (error) => {
        process.stderr.write(`headless: lobby: could not ${LOBBY_STEP_WORDS[step.kind]}: ${printable(error.message)}\n`);
        lobbyDriver.retry(step);
      });
    }
    const phaseBefore = lastPhase;
    if (patch.slice === 'matchmaking') lastPhase = patch.value.phase;
    // The report's own copy, updated by the patch above: app.snapshot() would copy every known user each time.
    const snap = patch.slice === 'matchmaking' || patch.slice === 'connection' ? report.view : null;
    if (!snap) return;
    // Signed in with --login, a 401 first refreshes (refreshOnUnauthorized); the session's `token expired` ends the run.
    if (patch.slice === 'connection' && (patch.value.phase === 'incompatible' || (patch.value.phase === 'unauthorized' && !session))) {
      process.stderr.write(`headless: ${patch.value.message ?? patch.value.phase}\n`);
      exitCode = patch.value.phase === 'incompatible' ? EXIT.incompatible : EXIT.unauthorized;
      finish();
    }
    if (queues.length > 0 && !queued && snap.connection.phase === 'connected' && snap.matchmaking.playlists.length > 0) {
      queued = true;
      app.intents.queue(queues).catch((error: Error) => process.stderr.write(`headless: could not queue: ${printable(error.message)}\n`));
    }
    // Ready once per match found: later `found` patches (the ready tally) are the same match.
    if (args['auto-ready'] && patch.slice === 'matchmaking' && patch.value.phase === 'found' && phaseBefore !== 'found') {
      app.intents.ready().catch((error: Error) => process.stderr.write(`headless: could not ready: ${printable(error.message)}\n`));
    }
  });

  if (session) {
    const signedIn = session;
    refreshOnUnauthorized(signedIn, {
      onStatus: (listener) => app.onPatch((patch) => { if (patch.slice === 'connection') listener(patch.value); }),
      retryNow: () => void app.intents.reconnectNow(),
    });
    signedIn.onEvent((event) => {
      if (event.event !== 'token expired') return;
      process.stderr.write(`headless: ${printable(event.message ?? 'sign in again')} (run again with --login)\n`);
      exitCode = EXIT.unauthorized;
      finish();
    });
  }

  const stop = () => finish();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  app.start();
  await finished;
  await app.close();
  session?.dispose();
  return exitCode ?? EXIT.ok;
}

/** The lobby flags as a plan, or what is wrong with them. */
function lobbyPlanOf(args: { 'lobby-create'?: string; 'lobby-map'?: string; 'lobby-join'?: string; 'lobby-bot'?: string[]; 'lobby-start-when'?: string; 'auto-ready'?: boolean }): LobbyPlan | string {
  const create = args['lobby-create'];
  const join = args['lobby-join'];
  if (create !== undefined && join !== undefined) return '--lobby-create and --lobby-join cannot go together';
  if (create !== undefined && (args['lobby-map'] ?? '').trim() === '') return '--lobby-create needs --lobby-map <springName>';
  if (create !== undefined && create.trim() === '') return '--lobby-create needs a lobby name';
  if (join !== undefined && join.trim() === '') return '--lobby-join needs a lobby id or name';
  if (create === undefined && join === undefined && (args['lobby-bot'] !== undefined || args['lobby-start-when'] !== undefined || args['lobby-map'] !== undefined)) {
    return '--lobby-map, --lobby-bot and --lobby-start-when need --lobby-create (or --lobby-join for bots)';
  }
  let startWhen: number | undefined;
  if (args['lobby-start-when'] !== undefined) {
    if (create === undefined) return '--lobby-start-when is for the creator (--lobby-create)';
    startWhen = Number(args['lobby-start-when']);
    if (!/^\d{1,3}$/.test(args['lobby-start-when']) || startWhen < 1 || startWhen > 32) return '--lobby-start-when takes a number of players from 1 to 32';
  }
  return {
    ...(create !== undefined ? { create: { name: create.trim(), mapName: (args['lobby-map'] ?? '').trim() } } : {}),
    ...(join !== undefined ? { join: join.trim() } : {}),
    bots: args['lobby-bot'] ?? [],
    ...(startWhen !== undefined ? { startWhen } : {}),
    autoReady: args['auto-ready'] === true,
  };
}

const LOBBY_STEP_WORDS: Record<LobbyStep['kind'], string> = {
  watch: 'watch the list of lobbies', unwatch: 'stop watching the list', create: 'create the lobby', join: 'join the lobby',
  seat: 'take a place on a team', bot: 'add the bot', ready: 'ready up', start: 'start the battle',
};

function runLobbyStep(app: CoreLobbyApp, step: LobbyStep, failed: (error: Error) => void): void {
  const intents = app.intents;
  const run = (): Promise<unknown> => {
    switch (step.kind) {
      case 'watch': return intents.watchLobbies();
      case 'unwatch': return intents.unwatchLobbies();
      case 'create': return intents.createLobby(step.params);
      case 'join': return intents.joinLobby({ lobbyId: step.lobbyId });
      case 'seat': return intents.joinAllyTeam({ allyTeam: step.allyTeam });
      case 'bot': return intents.addBot({ allyTeam: step.allyTeam, shortName: step.shortName });
      case 'ready': return intents.setLobbyReady({ isReady: true });
      case 'start': return intents.startLobbyBattle();
    }
  };
  run().catch((error: unknown) => failed(error instanceof Error ? error : new Error(String(error))));
}

// A promise nobody awaited must not end the client silently (Node's default) nor pass unseen: one line on stderr, never a token.
process.on('unhandledRejection', (reason) => {
  const text = reason instanceof Error ? reason.message : String(reason);
  process.stderr.write(`headless: internal error (a promise failed unhandled): ${printable(text.replace(/Bearer\s+\S+/g, 'Bearer [redacted]'))}\n`);
});

runCommand('headless', main);
