// A token handed in by the environment (TACHYON_TOKEN, for scripts and CI): kept in memory only, and sent only to the server it was given for.
import { serverOrigin } from '../core/auth';
import { bearerTokenProblem } from '../core/connection/bearer-token';
import type { Logger } from '../core/log';

export interface FixedToken {
  /** The token when `serverUrl` has the origin it was given for; null for every other server. */
  forServer(serverUrl: string): string | null;
  /** Forgets it (sign-out): nothing connects with it again in this run. */
  clear(): void;
}

const NONE: FixedToken = { forServer: () => null, clear: () => {} };

/**
 * Takes TACHYON_TOKEN out of `env` (so no child process inherits it) and binds it to the origin of the server the app
 * starts on. With no server configured, or a token that cannot be a bearer token (RFC 6750 §2.1), it is dropped with a
 * warning that names the reason, never the token.
 */
export function takeFixedToken(env: NodeJS.ProcessEnv, startServerUrl: string | null, logger: Logger): FixedToken {
  const token = env.TACHYON_TOKEN;
  delete env.TACHYON_TOKEN;
  if (token === undefined || token === '') return NONE;
  const problem = bearerTokenProblem(token);
  if (problem !== undefined) {
    logger.warn(`TACHYON_TOKEN ignored: ${problem}`);
    return NONE;
  }
  let origin: string;
  try {
    if (startServerUrl === null) throw new Error('no server');
    origin = serverOrigin(startServerUrl);
  } catch {
    logger.warn('TACHYON_TOKEN ignored: no server address is set to use it with');
    return NONE;
  }
  let held: string | null = token;
  return {
    forServer(serverUrl) {
      if (held === null) return null;
      try {
        return serverOrigin(serverUrl) === origin ? held : null;
      } catch {
        return null;
      }
    },
    clear() {
      held = null;
    },
  };
}
