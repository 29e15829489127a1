// Every engine process the lobby starts (the player's client and the autohost's spring-dedicated): an allow-listed environment, stdio as
// lines, SIGTERM → SIGKILL, and none outliving the lobby.
import { spawn, type ChildProcess } from 'node:child_process';
import { defaultPassEnv } from './engine-paths';
import { followLines } from './output-lines';

export interface SpawnEngineOptions {
  binary: string;
  args: readonly string[];
  /** The whole environment (see `engineEnvironment`): never the lobby's own. */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Each line the engine prints, without its line break. */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  maxLineChars?: number;
  /** Who started it: `killEnginesOf(owner)` reaches only these. */
  owner?: object;
}

/** Engines spawned and not yet exited, by owner. */
const live = new Map<ChildProcess, object | undefined>();
// One 'exit' listener while any engine runs. 'exit' handlers must be synchronous: SIGKILL goes out before the lobby
// process is gone (an uncaught exception or process.exit() included), so no engine lives on as an orphan.
const onProcessExit = () => {
  for (const child of live.keys()) if (isRunning(child)) child.kill('SIGKILL');
};

/** The environment variables of `passEnv` this process has (PATH defaults to /usr/bin:/bin off Windows), then `extra`. */
export function engineEnvironment(passEnv: readonly string[] = defaultPassEnv(), extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of passEnv) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  if (env.PATH === undefined && process.platform !== 'win32') env.PATH = '/usr/bin:/bin';
  return { ...env, ...extra };
}

/** Spawns an engine (no shell, stdin closed) and keeps it on the exit hook until it exits. */
export function spawnEngine(options: SpawnEngineOptions): ChildProcess {
  const child = spawn(options.binary, [...options.args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
  if (live.size === 0) process.on('exit', onProcessExit);
  live.set(child, options.owner);
  child.once('exit', () => forget(child));
  // A spawn that failed has no process and no 'exit'.
  child.once('error', () => {
    if (child.pid === undefined) forget(child);
  });
  const onLine = options.onLine;
  if (onLine) {
    followLines(child.stdout, (line) => onLine('stdout', line), options.maxLineChars);
    followLines(child.stderr, (line) => onLine('stderr', line), options.maxLineChars);
  }
  return child;
}

/** SIGTERM now, SIGKILL after `graceMs` if it still runs; the returned timer can be cleared once it has exited. */
export function stopEngine(child: ChildProcess, graceMs: number): NodeJS.Timeout {
  child.kill('SIGTERM');
  return setTimeout(() => {
    if (isRunning(child)) child.kill('SIGKILL');
  }, graceMs);
}

/** Signals every still-running engine `owner` spawned. */
export function killEnginesOf(owner: object, signal: NodeJS.Signals): void {
  for (const [child, of] of live) if (of === owner && isRunning(child)) child.kill(signal);
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function forget(child: ChildProcess): void {
  if (!live.delete(child)) return;
  if (live.size === 0) process.off('exit', onProcessExit);
}
