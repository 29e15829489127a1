// The spring-dedicated processes one autohost started: none may outlive the lobby process (as engine-runner.ts does for the player's engine).
import type { ChildProcess } from 'node:child_process';

export class SpawnedEngines {
  private readonly live = new Set<ChildProcess>();
  // One 'exit' listener per autohost while it has engines, not one per battle. 'exit' handlers must be synchronous:
  // SIGKILL is sent before the process is gone (an uncaught exception or process.exit() included).
  private readonly onProcessExit = () => this.killAll('SIGKILL');

  /** Tracks a just-spawned engine until it exits. */
  add(child: ChildProcess): void {
    if (this.live.size === 0) process.on('exit', this.onProcessExit);
    this.live.add(child);
    child.once('exit', () => this.forget(child));
    // A spawn that failed has no process and no 'exit'.
    child.once('error', () => {
      if (child.pid === undefined) this.forget(child);
    });
  }

  get count(): number {
    return this.live.size;
  }

  /** Signals every engine still running. */
  killAll(signal: NodeJS.Signals): void {
    for (const child of this.live) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }

  private forget(child: ChildProcess): void {
    if (!this.live.delete(child)) return;
    if (this.live.size === 0) process.off('exit', this.onProcessExit);
  }
}
