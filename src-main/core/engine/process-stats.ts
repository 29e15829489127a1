// Per-process CPU and memory of the engine, from Linux's /proc; elsewhere (or without /proc) the figures are unavailable.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface ProcessSample {
  /** CPU time (user + system) in seconds. */
  cpuSeconds: number;
  rssBytes: number;
}

/** Where /proc is read from by default: only Linux has it. */
export function defaultProcRoot(platform: NodeJS.Platform = process.platform): string | undefined {
  return platform === 'linux' ? '/proc' : undefined;
}

/** One sample of `pid` from `<procRoot>/<pid>/stat` and `status`; undefined when there is no such proc root or pid. */
export async function readProcessSample(pid: number, procRoot: string | undefined): Promise<ProcessSample | undefined> {
  if (procRoot === undefined) return undefined;
  try {
    const dir = path.join(procRoot, String(pid));
    const [stat, status] = await Promise.all([readFile(path.join(dir, 'stat'), 'utf8'), readFile(path.join(dir, 'status'), 'utf8')]);
    // Fields after the `(comm)`, which may itself hold spaces: utime and stime are fields 14 and 15 (proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    if (!Number.isFinite(ticks) || !Number.isFinite(rssKb)) return undefined;
    // Linux reports CPU time in clock ticks of 1/100 s (USER_HZ).
    return { cpuSeconds: ticks / 100, rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}
