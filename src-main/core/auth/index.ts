// Sign-in to a Tachyon server: OAuth 2.0 authorization code + PKCE over a loopback redirect, token sessions, storage, server profiles.
export { AuthError, type AuthErrorCode } from './errors';
export { DiscoveryCache, checkEndpoint, checkMetadata, cacheLifetimeMs, fetchDiscoveryDocument, serverOrigin, DISCOVERY_PATH, type AuthServerMetadata, type FetchLike } from './discovery';
export { createPkce, createState, s256Challenge, type Pkce } from './pkce';
export { listenForCallback, describeAuthorizationError, CALLBACK_PATH, DEFAULT_SIGN_IN_TIMEOUT_MS, type LoopbackListener } from './loopback';
export { requestTokens, revokeToken, type TokenSet } from './token-endpoint';
export { TokenSession, type AuthEvent, type AuthEventName, type SessionState, type TokenSessionOptions } from './token-session';
export { signIn, resumeSession, forgetSignIn, buildAuthorizeUrl, DEFAULT_CLIENT_ID, LOBBY_SCOPE, type SignInOptions, type SessionOptions } from './sign-in';
export { refreshOnUnauthorized, type UnauthorizedAware } from './connection-binding';
export { createFileRefreshTokenStore, createMemoryRefreshTokenStore, REFRESH_TOKEN_FILE, type RefreshTokenStore } from './storage';
export { ServerProfiles, createJsonFileProfileStore, EMBEDDED_PROFILE_ID, type ServerProfile, type ServerProfileStore, type StoredServerProfiles } from './server-profiles';
export { loginInteractively, type HeadlessLoginOptions } from './login';
