// What the headless client's --login needs: the stored sign-in if it still works, else the URL printed for the player to open.
import type { Logger } from '../log';
import type { FetchLike } from './discovery';
import { resumeSession, signIn } from './sign-in';
import { createFileRefreshTokenStore } from './storage';
import type { TokenSession } from './token-session';

export interface HeadlessLoginOptions {
  serverUrl: string;
  /** The headless data dir: the refresh token goes to `<dataDir>/auth/refresh-tokens.json` (0600). */
  dataDir: string;
  /** Where the URL goes (stdout for a person; it holds no secret: state and challenge are not). */
  print: (line: string) => void;
  clientId?: string;
  logger?: Logger;
  fetch?: FetchLike;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Skip the stored sign-in and always ask (e.g. to switch players). */
  fresh?: boolean;
}

/** Resolves with a signed-in session: resumed from the data dir, or after the player opened the printed URL and allowed. */
export async function loginInteractively(options: HeadlessLoginOptions): Promise<TokenSession> {
  const store = createFileRefreshTokenStore(options.dataDir);
  const common = { serverUrl: options.serverUrl, store, clientId: options.clientId, logger: options.logger, fetch: options.fetch };
  if (!options.fresh) {
    const resumed = await resumeSession(common);
    if (resumed) {
      options.print(`Signed in to ${resumed.server} (remembered sign-in).`);
      return resumed;
    }
  }
  const session = await signIn({
    ...common,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    openBrowser: (url) => {
      options.print('To sign in, open this address in a browser on this machine (it waits 5 minutes):');
      options.print(`  ${url}`);
    },
  });
  options.print(`Signed in to ${session.server}.`);
  return session;
}
