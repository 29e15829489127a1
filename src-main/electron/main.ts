// The Electron main process: single instance, app lifecycle, the window first and the lobby service behind it, settings and tokens in main.
import { userInfo } from 'node:os';
import path from 'node:path';
import { app, ipcMain, protocol, safeStorage, shell, type BrowserWindow, type WebContents } from 'electron';
import Store from 'electron-store';
import { ServerProfiles, createJsonFileProfileStore } from '../core/auth';
import { stderrLogger, type Logger } from '../core/log';
import { openAppLog, type AppLog } from '../app/app-log';
import { createAppProtocolHandler } from './app-protocol';
import { takeFixedToken } from '../app/fixed-token';
import { followDownloadProgress } from './taskbar-progress';
import { registerLobbyIpc } from './ipc';
import { createLobbyFactory, localPlayerName } from '../app/lobby-factory';
import { createLobbyService, type LobbyService } from '../app/lobby-service';
import { ensurePrivateDir, ensurePrivateFile } from '../app/private-paths';
import { QUIT_DEADLINE_MS, settleWithin } from '../app/quit-deadline';
import { MEMORY_ONLY_SIGN_IN_NOTICE, createSafeStorageRefreshTokenStore, safeStorageProtects } from './refresh-token-store';
import { SETTINGS_DEFAULTS, SETTINGS_SCHEMA, createSettingsStore, type ConfLike } from '../app/settings';
import { createSignInService } from '../app/sign-in-service';
import { createStartingService, type StartingService } from '../app/starting-service';
import { openSignInPage } from './system-browser';
import { createTokenVault } from './token-vault';
import { failureWords } from '../app/unavailable-lobby';
import { IntentError } from '../core/lobby/intents';
import { createMainWindow, hardenWebContents } from './window';

// Must run before `ready`: app:// is a standard, secure origin (fetch, CORS for module scripts), unlike file://.
protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);

const BUILD_DIR = import.meta.dirname; // dist/main after the build
const RENDERER_DIR = path.join(BUILD_DIR, '..', 'renderer');
const PRELOAD = path.join(BUILD_DIR, '..', 'preload', 'index.cjs');

let mainWindow: BrowserWindow | null = null;
let service: StartingService | null = null;
let stopIpc: (() => void) | null = null;
let appLog: AppLog | null = null;

function focusWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

/** The log file, or stderr when it cannot be opened (a read-only profile): the app runs either way. */
function openLog(userData: string): Logger {
  const echo = app.isPackaged ? undefined : (line: string) => void process.stderr.write(line);
  try {
    appLog = openAppLog({ dir: path.join(userData, 'logs'), ...(echo ? { echo } : {}) });
    return appLog.logger;
  } catch (error) {
    const logger = stderrLogger();
    logger.error(`could not open the log file: ${failureWords(error)}`);
    return logger;
  }
}

async function startLobby(userData: string, logger: Logger): Promise<LobbyService> {
  // Earlier versions stored TACHYON_TOKEN here; it is now held in memory only, so what they left is removed.
  createTokenVault(safeStorage, path.join(userData, 'session.bin')).clear();

  // settings.json in the app's data folder, 0600, checked against the schema on every read and write.
  const store = new Store({ name: 'settings', cwd: userData, schema: SETTINGS_SCHEMA, defaults: SETTINGS_DEFAULTS, configFileMode: 0o600 });
  ensurePrivateFile(path.join(userData, 'settings.json'));
  const settings = createSettingsStore(store as unknown as ConfLike);
  // A token handed in by the environment (scripts, CI): for the server the app starts on, and no other.
  const fixedToken = takeFixedToken(process.env, settings.get().serverUrl, logger);

  // Sign-in: refresh tokens sealed with safeStorage (memory only without a real keyring), the servers the player knows,
  // the authorize page in the system browser.
  const serversFile = path.join(userData, 'servers.json');
  ensurePrivateFile(serversFile);
  const protectsTokens = safeStorageProtects(safeStorage);
  if (!protectsTokens) logger.warn('no OS keyring protects stored sign-ins: they are kept in memory for this run only');
  const auth = createSignInService({
    profiles: await ServerProfiles.open(createJsonFileProfileStore(serversFile)),
    store: createSafeStorageRefreshTokenStore(safeStorage, path.join(userData, 'auth', 'refresh-tokens.bin')),
    openBrowser: openSignInPage,
    logger: logger.child('auth'),
    ...(protectsTokens ? {} : { storageNotice: MEMORY_ONLY_SIGN_IN_NOTICE }),
  });

  return createLobbyService({
    settings,
    createApp: createLobbyFactory({
      defaultDataDir: path.join(userData, 'data'),
      readToken: (serverUrl) => fixedToken.forServer(serverUrl),
      sessionFor: (serverUrl) => auth.sessionFor(serverUrl),
      logger,
      localPlayerName: localPlayerName(userInfo().username),
      // A newcomer's first battle needs nothing from them: the default playlist's content is fetched on start.
      fetchOnStart: true,
    }),
    auth,
    forgetFixedToken: () => fixedToken.clear(),
    logError: (message) => logger.error(message),
    // The replays folder in the file manager; shell.openPath answers an error string, empty on success.
    openPath: async (folder) => {
      const failure = await shell.openPath(folder);
      if (failure) {
        logger.warn(`opening the replays folder failed: ${failure}`);
        throw new IntentError('not_available', 'The replays folder could not be opened.');
      }
    },
  });
}

async function start(): Promise<void> {
  const userData = app.getPath('userData');
  const logger = openLog(userData);
  try {
    // Chromium usually makes the profile folder 0700; the settings, server list and sealed tokens in it must not depend on that.
    ensurePrivateDir(userData);
  } catch (error) {
    logger.warn(`could not make the profile folder private: ${failureWords(error)}`);
  }
  protocol.handle('app', createAppProtocolHandler(RENDERER_DIR));

  // The window comes first and says the lobby is starting; its intents wait for the service, or get why it failed.
  const starting = createStartingService();
  service = starting;
  stopIpc = registerLobbyIpc({
    ipcMain,
    service: starting,
    targets: () => (mainWindow && !mainWindow.isDestroyed() ? [mainWindow.webContents] : []) as WebContents[],
  });
  mainWindow = createMainWindow({ preloadPath: PRELOAD });
  mainWindow.on('closed', () => (mainWindow = null));
  followDownloadProgress(starting, () => mainWindow);

  try {
    starting.ready(await startLobby(userData, logger));
  } catch (error) {
    logger.error(`the lobby could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    starting.failed(`The lobby could not start: ${failureWords(error)}. Restart the app to try again; its log has the details.`);
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', focusWindow);
  // Every WebContents, including ones we did not create on purpose, gets the same navigation and popup rules.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('window-all-closed', () => app.quit());

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !service) return;
    // An orderly goodbye to the server (system/disconnect, close 1000) before the process ends, within a deadline: a
    // running battle's engines or an unreachable server must not keep a windowless process alive.
    event.preventDefault();
    quitting = true;
    stopIpc?.();
    const closing = service.close();
    void settleWithin(closing, QUIT_DEADLINE_MS).then(async (inTime) => {
      if (inTime) {
        await appLog?.close();
        app.quit(); // `quitting` lets this one through
        return;
      }
      appLog?.logger.warn(`quitting took longer than ${QUIT_DEADLINE_MS / 1000} s; ending now`);
      appLog?.flushSync();
      app.exit(0);
    });
  });

  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      // Not even a window could be made: say so where a terminal or the journal sees it, and free the single-instance lock.
      console.error(error);
      app.exit(1);
    });
}
