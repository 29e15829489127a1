// The replays command line as a child process: its exit code and whole output.
import { spawn } from 'node:child_process';

export function runReplaysCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/replays.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close': every byte it printed has been read.
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
