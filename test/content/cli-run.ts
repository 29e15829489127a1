// `npm run content -- …` as a child process, its stdout read line by line (for tests that run several at once).
import { spawn } from 'node:child_process';

export interface CliRun {
  readonly pid: number;
  readonly lines: string[];
  readonly stderr: string[];
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the first stdout line matching; rejects if the process exits without one. */
  line(pattern: RegExp): Promise<string>;
  /** The JSON records printed (with `--json`). */
  records(): Array<Record<string, unknown>>;
}

export function contentCli(args: readonly string[]): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/content.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  let rest = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    pid: child.pid!, lines, stderr, exited,
    kill: (signal) => { child.kill(signal); },
    line: (pattern) => new Promise<string>((resolve, reject) => {
      const check = () => {
        const hit = lines.find((l) => pattern.test(l));
        if (hit !== undefined) { waiters.delete(check); resolve(hit); }
      };
      waiters.add(check);
      check();
      void exited.then(() => { if (waiters.delete(check)) reject(new Error(`exited without a line matching ${pattern}: ${lines.join('\n')} ${stderr.join('')}`)); });
    }),
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** The pid of a process that has exited (and been reaped): nobody's, for a stale lock or temp file. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('close', resolve));
  return child.pid!;
}
