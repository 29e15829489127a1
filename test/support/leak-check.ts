// Runs around every test file: whatever the file opened (sockets, servers, timers, child processes) must be gone when it ends.
import { afterAll, beforeAll } from 'vitest';
import { childProcesses } from './processes';

/** Resource kinds a test can leak; vitest's own (its IPC pipe, its timers) are there before the file starts and are counted out. */
const WATCHED = new Set(['TCPSocketWrap', 'TCPServerWrap', 'UDPWrap', 'Timeout', 'PipeServerWrap']);

let before = new Map<string, number>();

function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) if (WATCHED.has(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

function leaks(): string[] {
  const now = resources();
  const found: string[] = [];
  for (const [kind, count] of now) {
    const extra = count - (before.get(kind) ?? 0);
    if (extra > 0) found.push(`${extra} × ${kind}`);
  }
  // esbuild's service process belongs to vite's transform pipeline (it starts with the first .vue file), not to the test.
  for (const child of childProcesses()) if (child.comm !== 'esbuild') found.push(`child process ${child.pid} ${child.comm}`);
  return found;
}

beforeAll(() => {
  before = resources();
});

afterAll(async () => {
  // Closing sockets and exiting children finish a few event-loop turns after the last test's await: give them a moment.
  let found = leaks();
  for (let i = 0; i < 100 && found.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    found = leaks();
  }
  if (found.length > 0) throw new Error(`this test file left resources behind: ${found.join(', ')}`);
});
