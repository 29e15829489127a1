// A test autohost that behaves like recoil-autohost where it differs from ours, driving the real spring-dedicated: it is
// our LocalAutohost in a child process (so it can be killed like a process, its engines left running) with
// recoil-autohost's sign-in checks, the `ModHash = 1; MapHash = 1;` script lines, host ports counted from scratch in each
// process, and no content check. Like recoil-autohost it sends a battle's updates only after the engine's SERVER_STARTED
// (our UDP interface hears nothing from the engine before it), so that needs no setting.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { followLines } from '../../src-main/core/engine';

export interface RecoilLikeOptions {
  serverUrl: string;
  clientId: string;
  secret: string;
  contentDir: string;
  battlesDir: string;
  firstHostPort: number;
}

export interface RecoilLikeAutohost {
  readonly child: ChildProcessWithoutNullStreams;
  readonly records: Record<string, unknown>[];
  readonly stderr: string[];
  readonly exited: Promise<number | null>;
  /** Every engine pid it reported, so a test can end the ones a killed autohost left behind. */
  enginePids(): number[];
}

export function startRecoilLikeAutohost(options: RecoilLikeOptions): RecoilLikeAutohost {
  const { secret, ...config } = options;
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/recoil-like-autohost-main.ts'], {
    env: { ...process.env, RECOIL_LIKE_CONFIG: JSON.stringify(config) },
    stdio: 'pipe',
  });
  child.stdin.end(secret);
  const records: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  followLines(child.stdout, (line) => { if (line.startsWith('{')) records.push(JSON.parse(line) as Record<string, unknown>); }, Number.POSITIVE_INFINITY);
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child, records, stderr, exited,
    enginePids: () => [...new Set(records.filter((r) => r.kind === 'update' && typeof r.pid === 'number').map((r) => r.pid as number))],
  };
}
