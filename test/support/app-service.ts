// Test support: the app's lobby service as main builds it (settings, the lobby factory on headless engines, sign-in), for the shell tests and the browser bridge.
import type { Logger } from '../../src-main/core/log';
import { createLobbyFactory } from '../../src-main/electron/lobby-factory';
import { createLobbyService, type LobbyService } from '../../src-main/electron/lobby-service';
import { createMemorySettingsStore } from '../../src-main/electron/settings';
import type { SignInService } from '../../src-main/electron/sign-in-service';

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
