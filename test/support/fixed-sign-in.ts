// Test support: a sign-in service for lobbies whose token the test supplies itself (the e2e world's players): the current
// server shows as signed in, and every sign-in intent answers `not_available`.
import type { ServerProfileView, ServersView } from '../../src-main/contract';
import { EMBEDDED_PROFILE_ID, serverOrigin } from '../../src-main/core/auth';
import { IntentError } from '../../src-main/core/lobby/intents';
import type { SignInService } from '../../src-main/app/sign-in-service';

const EMBEDDED: ServerProfileView = { id: EMBEDDED_PROFILE_ID, kind: 'embedded', url: null, label: 'This computer', signedIn: false };

function notAvailable(): never {
  throw new IntentError('not_available', 'This lobby was started with a fixed token; there is nothing to sign in to.');
}

export function createFixedTokenSignIn(): SignInService {
  let current = EMBEDDED_PROFILE_ID;
  const servers = (): ServersView => ({
    current,
    profiles: current === EMBEDDED_PROFILE_ID ? [EMBEDDED] : [EMBEDDED, { id: current, kind: 'remote', url: current, label: new URL(current).host, signedIn: true }],
  });
  return {
    sessionFor: () => null,
    session: () => ({ state: 'signed_in', server: current }),
    servers,
    profile: () => notAvailable(),
    onPatch: () => () => {},
    onSessionChange: () => () => {},
    async select(serverUrl) {
      current = serverUrl === null ? EMBEDDED_PROFILE_ID : serverOrigin(serverUrl);
    },
    addServer: async () => notAvailable(),
    removeServer: async () => notAvailable(),
    signIn: async () => notAvailable(),
    cancelSignIn: async () => notAvailable(),
    signOut: async () => notAvailable(),
    close: async () => {},
  };
}
