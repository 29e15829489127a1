// Test support: the app's lobby service as main builds it (settings, the lobby factory on headless engines, sign-in), for the shell tests and the browser bridge.
import type { Logger } from '../../src-main/core/log';
import { createLobbyFactory } from '../../src-main/app/lobby-factory';
import { createLobbyService, type LobbyService } from '../../src-main/app/lobby-service';
import { createMemorySettingsStore } from '../../src-main/app/settings';
import path from 'node:path';
import { ServerProfiles, createFileRefreshTokenStore, createJsonFileProfileStore } from '../../src-main/core/auth';
import { createSignInService, type SignInService, type SignInServiceOptions } from '../../src-main/app/sign-in-service';
import { logger as authLogger, recordingFetch } from '../auth/support';

export function createSignedInLobbyService(options: { serverUrl: string | null; dataDir: string; auth: SignInService; logger: Logger }): Promise<LobbyService> {
  const { auth, logger } = options;
  return createLobbyService({
    settings: createMemorySettingsStore({ serverUrl: options.serverUrl }),
    createApp: createLobbyFactory({
      defaultDataDir: options.dataDir,
      readToken: () => null,
      sessionFor: (url) => auth.sessionFor(url),
      logger: logger.child('app'),
      localPlayerName: 'Local',
      engineBinary: 'headless',
    }),
    auth,
    logError: (m) => logger.error(m),
  });
}

/** The app's sign-in service on files in `dir`, with a browser opener that only records the addresses it was given. */
export async function createRecordingSignInService(dir: string, opened: string[], overrides: Partial<SignInServiceOptions> = {}): Promise<SignInService> {
  return createSignInService({
    profiles: await ServerProfiles.open(createJsonFileProfileStore(path.join(dir, 'servers.json'))),
    store: createFileRefreshTokenStore(dir),
    fetch: recordingFetch(),
    logger: authLogger.child('app-auth'),
    openBrowser: (url) => void opened.push(url),
    ...overrides,
  });
}
