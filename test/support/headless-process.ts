// The headless client as a child process, its stdout read as whole lines (a pipe may cut a line across two chunks).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { followLines } from '../../src-main/core/engine';

const CLI = ['--import', 'tsx', 'src-main/cli/headless.ts'];

export interface HeadlessProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Whole lines printed so far. */
  readonly stdout: string[];
  readonly stderr: string[];
  /** The exit code, once the process has exited and its output is all read. */
  readonly exited: Promise<number | null>;
  /** The `--json` lines, parsed. */
  records(): Record<string, unknown>[];
}

/** `entry`: a built headless client (an esbuild bundle, as the memory benchmark runs it) instead of the sources under tsx. */
export function spawnHeadless(args: readonly string[], env: Record<string, string> = {}, entry?: string): HeadlessProcess {
  const child = spawn(process.execPath, [...(entry ? [entry] : CLI), ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
  const stdout: string[] = [];
  const stderr: string[] = [];
  followLines(child.stdout, (line) => {
    if (line.length > 0) stdout.push(line);
  }, Number.POSITIVE_INFINITY);
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  // 'close' rather than 'exit': by then every line the process printed has been read.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, stdout, stderr, exited, records: () => stdout.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
