// Quitting in order (system/disconnect, engines stopped, the embedded server closed), but never for longer than a deadline.

/** How long quitting may take before the process ends anyway: the window is gone, the player is waiting for nothing. */
export const QUIT_DEADLINE_MS = 5_000;

/** Resolves true when `closing` settled in time, false when the deadline came first. A rejection counts as settled. */
export function settleWithin(closing: Promise<unknown>, deadlineMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), deadlineMs);
  });
  const done = closing.then(
    () => true,
    () => true,
  );
  return Promise.race([done, deadline]).finally(() => clearTimeout(timer));
}
