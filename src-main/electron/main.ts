// The Electron main process: single instance, app lifecycle, settings and token in main, the lobby service behind IPC, one secure window.
import { appendFileSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { app, ipcMain, protocol, safeStorage, type BrowserWindow, type WebContents } from 'electron';
import Store from 'electron-store';
import { ServerProfiles, createJsonFileProfileStore } from '../core/auth';
import { createLogger } from '../core/log';
import { createAppProtocolHandler } from './app-protocol';
import { registerLobbyIpc } from './ipc';
import { takeFixedToken } from './fixed-token';
import { createLobbyFactory, localPlayerName } from './lobby-factory';
import { createLobbyService, type LobbyService } from './lobby-service';
import { createSafeStorageRefreshTokenStore } from './refresh-token-store';
import { SETTINGS_DEFAULTS, SETTINGS_SCHEMA, createSettingsStore, type ConfLike } from './settings';
import { createSignInService } from './sign-in-service';
import { openSignInPage } from './system-browser';
import { createTokenVault } from './token-vault';
import { createMainWindow, hardenWebContents } from './window';

// Must run before `ready`: app:// is a standard, secure origin (fetch, CORS for module scripts), unlike file://.
protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);

const BUILD_DIR = import.meta.dirname; // dist/main after the build
const RENDERER_DIR = path.join(BUILD_DIR, '..', 'renderer');
const PRELOAD = path.join(BUILD_DIR, '..', 'preload', 'index.cjs');

let mainWindow: BrowserWindow | null = null;
let service: LobbyService | null = null;
let stopIpc: (() => void) | null = null;

function focusWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

async function start(): Promise<void> {
  const userData = app.getPath('userData');
  const logDir = path.join(userData, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, 'main.log');
  const logger = createLogger((level, scope, message) => {
    const line = `${new Date().toISOString()} ${level} ${scope}: ${message}\n`;
    appendFileSync(logFile, line);
    if (!app.isPackaged) process.stderr.write(line);
  });

  protocol.handle('app', createAppProtocolHandler(RENDERER_DIR));

  // Earlier versions stored TACHYON_TOKEN here; it is now held in memory only, so what they left is removed.
  createTokenVault(safeStorage, path.join(userData, 'session.bin')).clear();

  const store = new Store({ name: 'settings', cwd: userData, schema: SETTINGS_SCHEMA, defaults: SETTINGS_DEFAULTS });
  const settings = createSettingsStore(store as unknown as ConfLike);
  // A token handed in by the environment (scripts, CI): for the server the app starts on, and no other.
  const fixedToken = takeFixedToken(process.env, settings.get().serverUrl, logger);

  // Sign-in (issue 7): refresh tokens sealed with safeStorage, the servers the player knows, the authorize page in the system browser.
  const auth = createSignInService({
    profiles: await ServerProfiles.open(createJsonFileProfileStore(path.join(userData, 'servers.json'))),
    store: createSafeStorageRefreshTokenStore(safeStorage, path.join(userData, 'auth', 'refresh-tokens.bin')),
    openBrowser: openSignInPage,
    logger: logger.child('auth'),
  });

  service = await createLobbyService({
    settings,
    createApp: createLobbyFactory({
      defaultDataDir: path.join(userData, 'data'),
      readToken: (serverUrl) => fixedToken.forServer(serverUrl),
      sessionFor: (serverUrl) => auth.sessionFor(serverUrl),
      logger,
      localPlayerName: localPlayerName(userInfo().username),
    }),
    auth,
    forgetFixedToken: () => fixedToken.clear(),
    logError: (message) => logger.error(message),
  });
  stopIpc = registerLobbyIpc({
    ipcMain,
    service,
    targets: () => (mainWindow && !mainWindow.isDestroyed() ? [mainWindow.webContents] : []) as WebContents[],
  });

  mainWindow = createMainWindow({ preloadPath: PRELOAD });
  mainWindow.on('closed', () => (mainWindow = null));
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
    // An orderly goodbye to the server (system/disconnect, close 1000) before the process ends.
    event.preventDefault();
    quitting = true;
    stopIpc?.();
    void service.close().finally(() => app.quit());
  });

  app.whenReady().then(start, (error: unknown) => {
    console.error(error);
    app.exit(1);
  });
}
