// The one secure window factory: isolated, sandboxed, no Node in the page, no new windows, no navigation, https links to the system browser.
import { BrowserWindow, shell, type WebContents } from 'electron';
import { APP_ENTRY } from '../app/app-origin';

/** Only well-formed https URLs without credentials leave the app, and only to the system browser. */
export function parseExternalUrl(raw: string): URL | null {
  if (!URL.canParse(raw)) return null;
  const url = new URL(raw);
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return null;
  return url;
}

export function openExternalIfSafe(raw: string): boolean {
  const url = parseExternalUrl(raw);
  if (url === null) return false;
  void shell.openExternal(url.href);
  return true;
}

/** Hardens any WebContents: no popups, no navigation away from the app, no webviews. Also used for contents we did not create. */
export function hardenWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfSafe(url);
    return { action: 'deny' };
  });
  const refuseNavigation = (event: { preventDefault(): void }, url: string) => {
    event.preventDefault();
    openExternalIfSafe(url);
  };
  contents.on('will-navigate', refuseNavigation);
  contents.on('will-redirect', refuseNavigation);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // Only desktop notifications ("match found") may be granted; everything else (camera, geolocation, …) is refused.
  contents.session.setPermissionRequestHandler((_contents, permission, callback) => callback(permission === 'notifications'));
  contents.session.setPermissionCheckHandler((_contents, permission) => permission === 'notifications');
}

export interface MainWindowOptions {
  preloadPath: string;
  title?: string;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#0f141b',
    title: options.title ?? 'Tachyon Lobby',
    autoHideMenuBar: true,
    // Written out literally (no spread) so reviewers and electronegativity see every switch where the window is made.
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false, // explicit: the page never loads http content
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      // Middle-click would open links in new windows past the window-open handler's intent.
      disableBlinkFeatures: 'Auxclick',
      preload: options.preloadPath,
    },
  });
  hardenWebContents(window.webContents);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY);
  return window;
}
