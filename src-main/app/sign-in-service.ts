// The app's side of signing in: server profiles, the current server's TokenSession, and the session slice the page sees.
// No Electron import: main.ts passes the safeStorage store and shell.openExternal; the browser test bridge passes a file store and its own openBrowser.
import type { ServerProfileView, ServersView, SessionEventName, SessionView, SignInProblem, SignInStarted } from '../contract';
import {
  AuthError,
  EMBEDDED_PROFILE_ID,
  forgetSignIn,
  resumeSession,
  serverOrigin,
  signIn,
  type AuthEvent,
  type DiscoveryCache,
  type FetchLike,
  type RefreshTokenStore,
  type ServerProfile,
  type ServerProfiles,
  type TokenSession,
} from '../core/auth';
import { IntentError } from '../core/lobby/intents';
import { silentLogger, type Logger } from '../core/log';
import { TimeoutError, withTimeout } from '../shared/with-timeout';

/** How long removing a server waits for its sign-in to be revoked before answering (the revocation goes on). */
const REVOKE_WAIT_MS = 5_000;

export interface SignInServiceOptions {
  profiles: ServerProfiles;
  store: RefreshTokenStore;
  /** Opens the authorize URL in the system browser (Electron: openSignInPage). Never an app window. */
  openBrowser(url: string): void | Promise<void>;
  logger?: Logger;
  /** Tests: the HTTP client, discovery cache, the loopback wait, how long resuming may take at start. */
  fetch?: FetchLike;
  discovery?: DiscoveryCache;
  timeoutMs?: number;
  resumeTimeoutMs?: number;
  /**
   * How long select() waits for a remembered sign-in before the lobby is built without it (default 3 s): a slow or
   * unreachable server must not hold the window back. A resume that finishes later rebuilds the lobby (onSessionChange).
   */
  resumeWaitMs?: number;
  /** Told with every remote server's session when the store keeps sign-ins in memory only (no OS keyring). */
  storageNotice?: string;
}

export interface SignInService {
  /** The signed-in session for this server address, if that is the current server; the lobby factory's token source. */
  sessionFor(serverUrl: string): TokenSession | null;
  session(): SessionView;
  servers(): ServersView;
  profile(id: string): ServerProfileView | undefined;
  /** Session and servers patches for the page. */
  onPatch(listener: (patch: { slice: 'session'; value: SessionView } | { slice: 'servers'; value: ServersView }) => void): () => void;
  /** The lobby must be rebuilt: a sign-in succeeded, or the session ended (`token expired`). */
  onSessionChange(listener: () => void): () => void;
  /** The lobby is about to connect to this server (null: the embedded one): resumes a remembered sign-in. */
  select(serverUrl: string | null): Promise<void>;
  /** Adds a server address as a profile (or finds it); does not switch to it. */
  addServer(url: string, label?: string): Promise<ServerProfileView>;
  /** Forgets the profile and its stored refresh token. */
  removeServer(id: string): Promise<void>;
  signIn(): Promise<SignInStarted>;
  cancelSignIn(): Promise<void>;
  /** Revoke where offered → delete locally → `disconnect` (the caller closes the lobby: system/disconnect). */
  signOut(disconnect: () => Promise<void>): Promise<{ revoked: boolean }>;
  close(): Promise<void>;
}

interface Attempt {
  readonly server: string;
  readonly abort: AbortController;
}

const RESUME_TIMEOUT_MS = 15_000;

export function createSignInService(options: SignInServiceOptions): SignInService {
  const logger = options.logger ?? silentLogger;
  const patchListeners = new Set<Parameters<SignInService['onPatch']>[0]>();
  const changeListeners = new Set<() => void>();
  let currentId = EMBEDDED_PROFILE_ID;
  let current: TokenSession | null = null;
  let stopEvents: (() => void) | null = null;
  let attempt: Attempt | null = null;
  let view: SessionView = { state: 'signed_in', server: EMBEDDED_PROFILE_ID };
  let closed = false;
  /** Counts select() calls: a resume belongs to one, and only the newest one's may change the state. */
  let generation = 0;
  /** Each server's latest resume until it settles, even once given up on: the next resume of that server waits for it. */
  const resumesInFlight = new Map<string, Promise<void>>();

  const serversView = (): ServersView => ({ current: currentId, profiles: options.profiles.list().map(profileView) });
  const setSession = (next: SessionView) => {
    view = options.storageNotice !== undefined && next.server !== EMBEDDED_PROFILE_ID ? { ...next, storageNotice: options.storageNotice } : next;
    for (const listener of patchListeners) listener({ slice: 'session', value: view });
  };
  const publishServers = () => {
    const value = serversView();
    for (const listener of patchListeners) listener({ slice: 'servers', value });
  };
  const changed = () => {
    for (const listener of changeListeners) listener();
  };
  const markSignedIn = async (id: string, signedIn: boolean) => {
    if (options.profiles.get(id)?.signedIn === signedIn) return;
    await options.profiles.setSignedIn(id, signedIn).catch((error: unknown) => logger.warn(`could not save the server list: ${text(error)}`));
    publishServers();
  };

  /** Drops the current session object without signing out: its refresh token stays stored for the next time. */
  const release = () => {
    stopEvents?.();
    stopEvents = null;
    current?.dispose();
    current = null;
  };
  /** Subscribed only here (not through signIn's onEvent as well), so each event is handled once. */
  const adopt = (session: TokenSession, server: string) => {
    release();
    current = session;
    stopEvents = session.onEvent((event) => onEvent(server, event));
  };

  function onEvent(server: string, event: AuthEvent): void {
    if (server !== currentId || closed) return;
    const lastEvent: SessionEventName = event.event;
    if (event.event !== 'token expired') {
      // Only a live session's refreshes: the first `auth success` of a sign-in or resume is set with signed_in by adopt's caller.
      if (view.server === server && view.state === 'signed_in' && view.lastEvent !== lastEvent) setSession({ ...view, lastEvent });
      return;
    }
    // The server ended the sign-in (invalid_grant, or a 401 after a refresh): the lobby stops, the page asks to sign in again.
    release();
    setSession({ state: 'expired', server, lastEvent, problem: 'ended', message: event.message ?? 'Your sign-in has ended. Sign in again.' });
    void markSignedIn(server, false);
    changed();
  }

  function currentProfile(): ServerProfile {
    const profile = options.profiles.get(currentId);
    if (!profile) throw new IntentError('not_available', 'The current server is not in the server list any more.');
    return profile;
  }

  /**
   * Resolves true when the resumed session was adopted. `mine` is the select() it belongs to: once a newer select() has
   * run, its answer, late or not, changes nothing (the session it brings is stopped).
   */
  async function resume(profile: ServerProfile & { url: string }, mine: number): Promise<boolean> {
    const server = profile.id;
    const superseded = () => mine !== generation || closed;
    const bound = options.resumeTimeoutMs ?? RESUME_TIMEOUT_MS;
    // A refresh token is good for one refresh (rotation, RFC 6749 §6): an older resume of this server still under way
    // settles first, or the server would see one token twice, take the second for a replay and end the whole grant.
    const older = resumesInFlight.get(server);
    if (older) await withTimeout(older, bound).catch(() => undefined);
    if (superseded()) return false;
    const resuming = resumeSession({ serverUrl: profile.url, store: options.store, logger, fetch: options.fetch, discovery: options.discovery });
    const flight = resuming.then(() => undefined, () => undefined);
    resumesInFlight.set(server, flight);
    void flight.then(() => {
      if (resumesInFlight.get(server) === flight) resumesInFlight.delete(server);
    });
    let session: TokenSession | null;
    try {
      session = await withTimeout(resuming, bound, 'The server did not answer in time.');
    } catch (error) {
      // Given up on: a session that still arrives is stopped at once, so it never refreshes (and rotates the stored token) unseen.
      if (error instanceof TimeoutError) resuming.then((late) => late?.dispose(), () => undefined);
      if (superseded() || current) return false;
      // Network trouble: the stored sign-in stays for the next try; the player can sign in again now.
      logger.warn(`could not resume the sign-in to ${server}: ${text(error)}`);
      setSession({ state: 'signed_out', server, problem: 'network', message: `Could not reach the server to resume your sign-in. ${text(error)}` });
      return false;
    }
    // Superseded, or the player signed in through the browser meanwhile: that state stands.
    if (superseded() || current) {
      session?.dispose();
      return false;
    }
    if (session) {
      adopt(session, server);
      setSession({ state: 'signed_in', server, lastEvent: 'auth success' });
      await markSignedIn(server, true);
      return true;
    }
    setSession({ state: 'expired', server, lastEvent: 'token expired', problem: 'ended', message: 'The server no longer accepts your remembered sign-in. Sign in again.' });
    await markSignedIn(server, false);
    return false;
  }

  return {
    sessionFor(serverUrl) {
      if (!current || current.state !== 'signed-in') return null;
      let origin: string;
      try {
        origin = serverOrigin(serverUrl);
      } catch {
        return null;
      }
      return origin === currentId ? current : null;
    },
    session: () => view,
    servers: serversView,
    profile: (id) => {
      const profile = options.profiles.get(id);
      return profile ? profileView(profile) : undefined;
    },
    onPatch(listener) {
      patchListeners.add(listener);
      return () => patchListeners.delete(listener);
    },
    onSessionChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },

    async select(serverUrl) {
      const mine = ++generation;
      attempt?.abort.abort();
      attempt = null;
      release();
      if (serverUrl === null) {
        currentId = EMBEDDED_PROFILE_ID;
        publishServers();
        // The embedded server on 127.0.0.1 hands the local player a token with no ceremony.
        setSession({ state: 'signed_in', server: EMBEDDED_PROFILE_ID });
        return;
      }
      const profile = await options.profiles.add(serverUrl);
      if (mine !== generation) return; // a newer select() took over while this one waited
      currentId = profile.id;
      publishServers();
      if (profile.url === null) return;
      const stored = await options.store.read(profile.id);
      if (mine !== generation) return;
      if (stored === null) {
        // Remembered as signed in, but the token is gone (memory-only storage, or it was deleted): a calm "sign in again".
        if (profile.signedIn) await markSignedIn(profile.id, false);
        setSession({ state: 'signed_out', server: profile.id });
        return;
      }
      setSession({ state: 'signing_in', server: profile.id, message: 'Resuming your remembered sign-in…' });
      let settled = false;
      const resuming = resume({ ...profile, url: profile.url }, mine).then((adopted) => {
        settled = true;
        return adopted;
      });
      await withTimeout(resuming, options.resumeWaitMs ?? 3_000).catch(() => undefined);
      if (!settled) {
        // The lobby is built without it now; a resume that lands later rebuilds the lobby with the session.
        void resuming.then((adopted) => {
          if (adopted && !closed) changed();
        });
      }
    },

    async addServer(url, label) {
      try {
        return profileView(await options.profiles.add(url, label));
      } catch (error) {
        throw new IntentError('invalid_input', error instanceof AuthError ? error.message : `Could not add that server: ${text(error)}.`);
      } finally {
        publishServers();
      }
    },

    async removeServer(id) {
      if (id === EMBEDDED_PROFILE_ID) throw new IntentError('invalid_input', 'The server on this computer cannot be removed.');
      if (id === currentId) throw new IntentError('invalid_input', 'Switch to another server before removing this one.');
      const profile = options.profiles.get(id);
      if (!profile) throw new IntentError('invalid_input', 'That server is not in the list.');
      // Forgetting a server forgets its sign-in too: deleted here at once, revoked at the server where it can be. It was
      // not in use, so there is nothing to disconnect; an unreachable server holds the answer back a few seconds at most.
      const { revoked } = profile.url === null ? { revoked: Promise.resolve(false) }
        : await forgetSignIn({ serverUrl: profile.url, store: options.store, fetch: options.fetch, discovery: options.discovery, logger });
      await options.profiles.remove(id);
      publishServers();
      await withTimeout(revoked, REVOKE_WAIT_MS).catch(() => undefined);
    },

    async signIn() {
      const profile = currentProfile();
      if (profile.kind === 'embedded' || profile.url === null) throw new IntentError('not_available', 'The server on this computer needs no sign-in.');
      if (current) throw new IntentError('not_available', 'You are already signed in to this server.');
      attempt?.abort.abort();
      const mine: Attempt = { server: profile.id, abort: new AbortController() };
      attempt = mine;
      setSession({ state: 'signing_in', server: profile.id });
      let opened: () => void = () => {};
      const browserOpened = new Promise<void>((resolve) => (opened = resolve));
      const flow = signIn({
        serverUrl: profile.url,
        store: options.store,
        logger,
        fetch: options.fetch,
        discovery: options.discovery,
        timeoutMs: options.timeoutMs,
        signal: mine.abort.signal,
        openBrowser: async (url) => {
          await options.openBrowser(url);
          opened();
        },
      });
      flow.then(
        async (session) => {
          if (attempt !== mine || currentId !== profile.id || closed) {
            // Cancelled or switched away while the browser step finished: keep the stored sign-in, drop this session object.
            session.dispose();
            return;
          }
          attempt = null;
          adopt(session, profile.id);
          setSession({ state: 'signed_in', server: profile.id, lastEvent: 'auth success' });
          await markSignedIn(profile.id, true);
          changed();
        },
        (error: unknown) => {
          if (attempt !== mine) return;
          attempt = null;
          const problem = problemOf(error);
          setSession({ state: 'signed_out', server: profile.id, problem, message: signInFailureWords(error, problem) });
        },
      );
      // Answer as soon as the browser was asked to open; a failure before that (discovery, an address refused) is the answer.
      await Promise.race([browserOpened, flow.then(() => undefined)]).catch((error: unknown) => {
        throw error instanceof AuthError ? error : new AuthError('cancelled', `Could not start the sign-in: ${text(error)}.`);
      });
      return { openedBrowser: true, server: profile.id };
    },

    async cancelSignIn() {
      attempt?.abort.abort();
    },

    async signOut(disconnect) {
      const server = currentId;
      const session = current;
      attempt?.abort.abort();
      if (!session) {
        // Nothing live (expired, never signed in, or a fixed token): forget whatever is stored, say so, and disconnect
        // whatever the lobby was connected with.
        await options.store.delete(server);
        if (server !== EMBEDDED_PROFILE_ID) {
          await markSignedIn(server, false);
          setSession({ state: 'signed_out', server });
        }
        await disconnect();
        return { revoked: false };
      }
      stopEvents?.();
      stopEvents = null;
      current = null;
      const result = await session.signOut({ disconnect });
      await markSignedIn(server, false);
      setSession({ state: 'signed_out', server, message: result.revoked ? 'Signed out. The server has forgotten this sign-in.' : 'Signed out on this computer.' });
      return result;
    },

    async close() {
      closed = true;
      attempt?.abort.abort();
      attempt = null;
      release();
      patchListeners.clear();
      changeListeners.clear();
    },
  };
}

function profileView(profile: ServerProfile): ServerProfileView {
  return { id: profile.id, kind: profile.kind, url: profile.url, label: profile.label, signedIn: profile.signedIn };
}

function problemOf(error: unknown): SignInProblem {
  if (!(error instanceof AuthError)) return 'refused';
  switch (error.code) {
    case 'access_denied':
    case 'timeout':
    case 'cancelled':
    case 'network':
      return error.code;
    default:
      return 'refused';
  }
}

/** The core's AuthError messages are written for the player and hold no secret; anything else gets a generic sentence. */
function signInFailureWords(error: unknown, problem: SignInProblem): string {
  if (problem === 'cancelled') return 'Sign-in cancelled.';
  if (problem === 'access_denied') return 'Access denied: you declined the sign-in on the server\'s page. Sign in again when you want to play.';
  if (problem === 'timeout') return 'The sign-in timed out: nobody finished it in the browser within 5 minutes. Start it again.';
  return error instanceof AuthError ? error.message : 'The sign-in failed. Try again.';
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
