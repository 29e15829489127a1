// The secure window factory with `electron` mocked: webPreferences, CSP, denied popups and navigation, https-only external links.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  type Handler = (...args: unknown[]) => unknown;
  const created: { options: Record<string, unknown>; contents: ReturnType<typeof makeContents>; loaded: string[] }[] = [];
  function makeContents() {
    const on = new Map<string, Handler>();
    return {
      on: (name: string, handler: Handler) => on.set(name, handler),
      handlers: on,
      windowOpenHandler: null as null | Handler,
      setWindowOpenHandler(handler: Handler) {
        this.windowOpenHandler = handler;
      },
      session: {
        permissionRequest: null as null | Handler,
        permissionCheck: null as null | Handler,
        setPermissionRequestHandler(handler: Handler) {
          this.permissionRequest = handler;
        },
        setPermissionCheckHandler(handler: Handler) {
          this.permissionCheck = handler;
        },
      },
    };
  }
  class BrowserWindow {
    webContents = makeContents();
    loaded: string[] = [];
    constructor(options: Record<string, unknown>) {
      created.push({ options, contents: this.webContents, loaded: this.loaded });
    }
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
    once() {}
    show() {}
  }
  const opened: string[] = [];
  return { BrowserWindow, created, opened, shell: { openExternal: async (url: string) => void opened.push(url) } };
});
vi.mock('electron', () => ({ BrowserWindow: electron.BrowserWindow, shell: electron.shell }));

const { createMainWindow, parseExternalUrl } = await import('../../src-main/electron/window');
const { APP_ENTRY } = await import('../../src-main/app/app-origin');
const { CONTENT_SECURITY_POLICY } = await import('../../src-main/app/csp');

beforeEach(() => {
  electron.created.length = 0;
  electron.opened.length = 0;
});

describe('secure window factory', () => {
  it('isolates and sandboxes the page with no Node', () => {
    createMainWindow({ preloadPath: '/app/preload.cjs' });
    const prefs = electron.created[0]!.options.webPreferences as Record<string, unknown>;
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.preload).toBe('/app/preload.cjs');
    expect(electron.created[0]!.loaded).toEqual([APP_ENTRY]);
    expect(APP_ENTRY.startsWith('app://')).toBe(true);
  });

  it('denies window.open and opens only parsed https URLs outside', () => {
    createMainWindow({ preloadPath: '/p' });
    const open = electron.created[0]!.contents.windowOpenHandler!;
    expect(open({ url: 'https://www.beyondallreason.info/' })).toEqual({ action: 'deny' });
    expect(open({ url: 'http://example.com/' })).toEqual({ action: 'deny' });
    expect(open({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(open({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(open({ url: 'https://user:pw@example.com/' })).toEqual({ action: 'deny' });
    expect(electron.opened).toEqual(['https://www.beyondallreason.info/']);
  });

  it('prevents navigation, redirects and webviews', () => {
    createMainWindow({ preloadPath: '/p' });
    const handlers = electron.created[0]!.contents.handlers;
    for (const name of ['will-navigate', 'will-redirect']) {
      const event = { preventDefault: vi.fn() };
      handlers.get(name)!(event, 'https://evil.example/');
      expect(event.preventDefault).toHaveBeenCalled();
    }
    const webview = { preventDefault: vi.fn() };
    handlers.get('will-attach-webview')!(webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });

  it('grants only the notification permission', () => {
    createMainWindow({ preloadPath: '/p' });
    const session = electron.created[0]!.contents.session;
    const answers: boolean[] = [];
    for (const permission of ['notifications', 'media', 'geolocation', 'openExternal']) session.permissionRequest!(null, permission, (ok: boolean) => answers.push(ok));
    expect(answers).toEqual([true, false, false, false]);
    expect(session.permissionCheck!(null, 'media')).toBe(false);
  });

  it('parses external URLs strictly', () => {
    expect(parseExternalUrl('https://example.com/a?b')?.href).toBe('https://example.com/a?b');
    expect(parseExternalUrl('not a url')).toBeNull();
    expect(parseExternalUrl('HTTPS://example.com')?.protocol).toBe('https:');
    expect(parseExternalUrl('app://lobby/index.html')).toBeNull();
  });

  it('has a strict CSP: no eval, no inline script, no remote origins', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(eval|inline)|\*|https?:/);
  });
});
