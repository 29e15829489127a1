// The contract served over any transport (Electron IPC, the browser test bridge): validation, dispatch to the core, results as data, sequenced patches.
// No Electron import here, so the browser test bridge runs exactly this code in plain Node.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import {
  INTENT_NAMES,
  isIntentName,
  type AppPatch,
  type AppSnapshot,
  type IntentName,
  type IpcResult,
  type Notice,
  type PatchMessage,
  type PayloadOf,
  type ResultOf,
  type ServersView,
  type SettingsView,
} from '../contract';
import type { PayloadSchemas } from '../contract/payloads';
// Written from payloads.ts by `npm run schemas` (kept in step by a test), so main loads no TypeBox.
import payloadSchemas from '../contract/payload-schemas.json' with { type: 'json' };
import { AuthError } from '../core/auth';
import { IntentError, type LobbyApp, type LobbyIntents } from '../core/lobby/intents';
import type { SettingsStore } from './settings';
import { checkSettingsChange, recheckStoredSettings } from './settings-check';
import type { SignInService } from './sign-in-service';
import { createUnavailableLobby, failureWords } from './unavailable-lobby';

export interface LobbyServiceOptions {
  settings: SettingsStore;
  /** Builds the lobby for the given settings; called at start and again whenever the settings change. */
  createApp(settings: SettingsView): Promise<LobbyApp>;
  /** Where unexpected handler errors go (with their stack); never the renderer. */
  logError?(message: string): void;
  /** Server profiles and sign-in: the current server's session, the servers the page lists, and the sign-in intents. */
  auth: SignInService;
  /** Sign-out forgets the shell's fixed token (TACHYON_TOKEN) as well as the sign-in. */
  forgetFixedToken?(): void;
  /** Opens a folder in the system's file manager (Electron's `shell.openPath`); without it `openReplaysFolder` is not available. */
  openPath?(folder: string): Promise<void>;
}

export interface LobbyService {
  invoke(name: unknown, payload: unknown): Promise<IpcResult<unknown>>;
  onPatch(listener: (message: PatchMessage) => void): () => void;
  close(): Promise<void>;
}

/**
 * Intents the core serves as they come: a `LobbyIntents` method of the same name that takes the payload as it is (or
 * nothing) and answers nothing. They need no line in `handlers`; `dispatch` passes them on (CONTRIBUTING.md's recipe).
 */
type PassThroughName = {
  [N in IntentName]: N extends keyof LobbyIntents
    ? ResultOf<N> extends null ? (LobbyIntents[N] extends (payload: PayloadOf<N>) => Promise<void> ? N : never) : never
    : never;
}[IntentName];
type Handler<N extends IntentName> = (payload: PayloadOf<N>) => Promise<ResultOf<N>>;
type Handlers = { [N in Exclude<IntentName, PassThroughName>]: Handler<N> } & { [N in PassThroughName]?: Handler<N> };

const ajv = new Ajv({ allErrors: true, strict: true });
/** The payload's check, typed by its schema. ajv compiles a schema object once and keeps it, so later calls only look it up. */
function validatorFor<N extends IntentName>(name: N): ValidateFunction<PayloadOf<N>> {
  return ajv.compile<PayloadOf<N>>((payloadSchemas as unknown as Record<keyof PayloadSchemas, object>)[name]);
}
// Every schema compiled at load, so one ajv refuses in strict mode fails at start rather than on the page's first call.
for (const name of INTENT_NAMES) validatorFor(name);

/** Names the failing paths and rules, never the values (a payload may hold anything the page typed). */
export function describePayloadErrors(errors: readonly ErrorObject[] | null | undefined): string {
  const parts = (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.keyword}`);
  return `invalid payload: ${[...new Set(parts)].join(', ') || 'rejected'}`;
}

export async function createLobbyService(options: LobbyServiceOptions): Promise<LobbyService> {
  const listeners = new Set<(message: PatchMessage) => void>();
  let seq = 0;
  let closed = false;
  const auth = options.auth;
  // The settings file may have been edited by hand: what fails the checks a change gets is dropped, and the player told.
  const { change: repaired, dropped } = await recheckStoredSettings(options.settings.get());
  if (Object.keys(repaired).length > 0) options.settings.update(repaired);
  const startNotices: Notice[] = dropped.map((text) => ({ at: Date.now(), level: 'warning', text }));
  for (const text of dropped) options.logError?.(`settings: ${text}`);
  // Resume the remembered sign-in before the first lobby is built, so it connects with it at once.
  await auth.select(options.settings.get().serverUrl).catch((error: unknown) => options.logError?.(`resuming the sign-in failed: ${String(error)}`));
  let app = await buildApp().catch((error: unknown) => unavailable(error));
  let unsubscribe = app.onPatch((patch) => publish(patch));
  const stopAuthPatches = auth.onPatch((patch) => publish(patch));
  // Signed in, or the server ended the sign-in: the lobby is rebuilt with (or without) the session's tokens.
  const stopAuthChanges = auth.onSessionChange(() => void rebuild().catch((error: unknown) => options.logError?.(`rebuild after a sign-in change failed: ${String(error)}`)));

  function publish(patch: AppPatch): void {
    seq += 1;
    const message: PatchMessage = { seq, patch };
    for (const listener of listeners) listener(message);
  }

  function snapshot(): AppSnapshot {
    const lobby = app.snapshot();
    return {
      ...lobby,
      notices: startNotices.length > 0 ? [...startNotices, ...lobby.notices] : lobby.notices,
      settings: options.settings.get(),
      servers: auth.servers(),
      session: auth.session(),
    };
  }

  function buildApp(): Promise<LobbyApp> {
    return Promise.resolve().then(() => options.createApp(options.settings.get()));
  }

  /** What the window shows when the lobby could not be built: why, in words, and intents that answer the same. */
  function unavailable(error: unknown): LobbyApp {
    options.logError?.(`building the lobby failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    const serverUrl = options.settings.get().serverUrl;
    const what = serverUrl === null ? 'Local play could not start' : 'The lobby could not start';
    return createUnavailableLobby(serverUrl ?? '', `${what}: ${failureWords(error)}. Change the settings or restart the app to try again.`);
  }

  // A settings or sign-in change rebuilds the lobby behind the window: the old one says goodbye (system/disconnect),
  // and the renderer gets one `reset` with the new world. A failed build leaves the unavailable lobby in its place
  // and the chain clean, so the next change tries again.
  let rebuilding: Promise<void> = Promise.resolve();
  function rebuild(beforeBuild?: () => Promise<void>): Promise<void> {
    const run = rebuilding.catch(() => undefined).then(async () => {
      if (closed) return;
      unsubscribe();
      await app.close().catch((error: unknown) => options.logError?.(`closing the lobby failed: ${String(error)}`));
      let failure: unknown = null;
      try {
        await beforeBuild?.();
        app = await buildApp();
      } catch (error) {
        failure = error;
        app = unavailable(error);
      }
      unsubscribe = app.onPatch((patch) => publish(patch));
      publish({ slice: 'reset', value: snapshot() });
      if (failure !== null) throw new IntentError('not_available', app.snapshot().connection.message ?? 'The lobby could not start.');
    });
    rebuilding = run;
    return run;
  }

  async function changeSettings(change: Partial<SettingsView>): Promise<SettingsView> {
    // Checked here, in main, whatever the page checked: a bad value is refused in words and nothing is rebuilt.
    const before = options.settings.get().serverUrl;
    const next = options.settings.update(await checkSettingsChange(change));
    publish({ slice: 'settings', value: next });
    // A new server: its profile is found or added and its remembered sign-in resumed before the lobby connects.
    await rebuild(next.serverUrl !== before ? () => auth.select(next.serverUrl) : undefined);
    return next;
  }

  async function chooseServer(id: string): Promise<ServersView> {
    const profile = auth.profile(id);
    if (!profile) throw new IntentError('invalid_input', 'That server is not in the list.');
    await changeSettings({ serverUrl: profile.url });
    return auth.servers();
  }

  const intents = () => app.intents;
  const none = async (run: () => Promise<void>): Promise<null> => {
    await run();
    return null;
  };
  const handlers: Handlers = {
    snapshot: async () => {
      // The state first: taking it tells listeners the lobby's batched patches (core/lobby/store.ts), which `seq` then counts.
      const state = snapshot();
      return { seq, state };
    },
    queue: (p) => none(() => intents().queue(p.queues)),
    sendChat: (p) => none(() => intents().sendChat(p.target.type === 'player' ? { type: 'player', userId: p.target.userId } : { type: p.target.type }, p.text)),
    sendFriendRequest: (p) => none(() => intents().sendFriendRequest(p.userId)),
    acceptFriendRequest: (p) => none(() => intents().acceptFriendRequest(p.userId)),
    rejectFriendRequest: (p) => none(() => intents().rejectFriendRequest(p.userId)),
    cancelFriendRequest: (p) => none(() => intents().cancelFriendRequest(p.userId)),
    removeFriend: (p) => none(() => intents().removeFriend(p.userId)),
    inviteToParty: (p) => none(() => intents().inviteToParty(p.userId)),
    cancelPartyInvite: (p) => none(() => intents().cancelPartyInvite(p.userId)),
    kickFromParty: (p) => none(() => intents().kickFromParty(p.userId)),
    acceptPartyInvite: (p) => none(() => intents().acceptPartyInvite(p.partyId)),
    declinePartyInvite: (p) => none(() => intents().declinePartyInvite(p.partyId)),
    watchReplay: (p) => none(() => intents().watchReplay(p.file)),
    deleteReplay: (p) => none(() => intents().deleteReplay(p.file)),
    // The core names the folder, the shell opens it: the path never reaches the page.
    openReplaysFolder: () => none(async () => {
      const openPath = options.openPath;
      if (!openPath) throw new IntentError('not_available', 'Opening folders is not available in this window.');
      await intents().openReplaysFolder((folder) => openPath(folder));
    }),
    // One save, one rebuild: every field the page changed arrives together.
    updateSettings: (p) => changeSettings({
      ...(p.enginePaths ? { enginePaths: p.enginePaths } : {}),
      ...(p.dataDir !== undefined ? { dataDir: p.dataDir } : {}),
      ...(p.rapidMaster !== undefined ? { rapidMaster: p.rapidMaster } : {}),
      ...(p.filesApi !== undefined ? { filesApi: p.filesApi } : {}),
    }),
    signIn: () => auth.signIn(),
    cancelSignIn: () => none(() => auth.cancelSignIn()),
    // Revoke, forget locally, then the lobby is rebuilt without a token: closing the old one sends system/disconnect.
    signOut: () => {
      // A fixed token from the environment ends with the sign-out too: the rebuilt lobby has nothing to connect with.
      options.forgetFixedToken?.();
      return auth.signOut(() => rebuild());
    },
    addServer: async (p) => {
      const checked = await checkSettingsChange({ serverUrl: p.url });
      const profile = await auth.addServer(checked.serverUrl ?? p.url, p.label ?? undefined);
      return chooseServer(profile.id);
    },
    chooseServer: (p) => chooseServer(p.id),
    removeServer: async (p) => {
      await auth.removeServer(p.id);
      return auth.servers();
    },
    createLobby: (p) => intents().createLobby(p),
    joinLobby: (p) => intents().joinLobby(p),
    addBot: (p) => intents().addBot(p),
    // Downloads and the Library.
    cancelDownload: (p) => none(() => intents().cancelDownload(p.id)),
    retryDownload: (p) => none(() => intents().retryDownload(p.id)),
    deleteContent: (p) => none(() => intents().deleteContent(p.id)),
  };

  /** Checks the payload against the intent's schema; past the check it has the intent's payload type. */
  async function dispatch<N extends IntentName>(name: N, payload: unknown): Promise<IpcResult<ResultOf<N>>> {
    const validate = validatorFor(name);
    if (!validate(payload)) return { ok: false, code: 'invalid_input', message: describePayloadErrors(validate.errors) };
    const handler = (handlers as Partial<Record<IntentName, (payload: unknown) => Promise<unknown>>>)[name];
    if (handler) return { ok: true, value: (await handler(payload)) as ResultOf<N> };
    // A pass-through intent (PassThroughName): the core's method of that name, with the checked payload as it came
    // (none for an intent that takes none).
    const core = intents() as unknown as Record<string, (...payload: unknown[]) => Promise<void>>;
    await core[name]!.call(core, ...(payload === null ? [] : [payload]));
    return { ok: true, value: null as ResultOf<N> };
  }

  async function invoke(name: unknown, rawPayload: unknown): Promise<IpcResult<unknown>> {
    if (!isIntentName(name)) return { ok: false, code: 'unknown_intent', message: 'unknown intent' };
    if (closed) return { ok: false, code: 'not_available', message: 'The app is shutting down.' };
    try {
      return await dispatch(name, rawPayload === undefined ? null : rawPayload);
    } catch (error) {
      // The core's sign-in errors are written for the player and never hold a token, code or verifier.
      if (error instanceof AuthError) return { ok: false, code: 'sign_in_failed', message: error.message, reason: error.code };
      if (error instanceof IntentError) {
        return error.reason === undefined
          ? { ok: false, code: error.code, message: error.message }
          : { ok: false, code: error.code, message: error.message, reason: error.reason };
      }
      // Unknown errors may carry paths or server text: log them in main, give the page a stable code only.
      options.logError?.(`intent ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return { ok: false, code: 'internal', message: 'Something went wrong in the app; see its log.' };
    }
  }

  return {
    invoke,
    onPatch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      await rebuilding.catch(() => undefined);
      listeners.clear();
      stopAuthPatches();
      stopAuthChanges();
      unsubscribe();
      await app.close();
      await auth.close();
    },
  };
}
