// This test process's children and descendants, read from /proc (Linux): for tests and the leak check that must see no
// engine or stand-in left behind. Elsewhere the table is empty.
import { readdirSync, readFileSync } from 'node:fs';

interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  /** The kernel's short name (at most 15 characters, e.g. `spring-dedicate`). */
  readonly comm: string;
  /** The command line, arguments joined by spaces. */
  readonly cmdline: string;
  readonly zombie: boolean;
}

function processTable(): ProcessEntry[] {
  let names: string[];
  try {
    names = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const table: ProcessEntry[] = [];
  for (const name of names) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // After the name (which may hold spaces and parentheses): state, ppid, ...
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      table.push({ pid: Number(name), ppid: Number(rest[1]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), cmdline, zombie: rest[0] === 'Z' });
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

/** Live direct children of this process. */
export function childProcesses(): ProcessEntry[] {
  return processTable().filter((p) => p.ppid === process.pid && !p.zombie);
}

/** Live processes anywhere below this process. */
export function descendantProcesses(): ProcessEntry[] {
  const table = processTable();
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const below = (p: ProcessEntry): boolean => {
    for (let parent = byPid.get(p.ppid); parent; parent = byPid.get(parent.ppid)) if (parent.pid === process.pid) return true;
    return p.ppid === process.pid;
  };
  return table.filter((p) => !p.zombie && below(p));
}

/** Spring engines below this process, as `pid comm` strings. */
export function engineDescendants(): string[] {
  return descendantProcesses().filter((p) => p.comm.startsWith('spring')).map((p) => `${p.pid} ${p.comm}`);
}

/** Whether `pid` still runs (a zombie waiting for its reaper does not). */
export function processRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
