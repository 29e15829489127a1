// The sign-in page goes to the system browser only as a parsed http(s) address (plain http only to this computer), with `electron` mocked.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  const opened: string[] = [];
  const created: unknown[] = [];
  return {
    opened,
    created,
    shell: { openExternal: async (url: string) => void opened.push(url) },
    // Present so a stray `new BrowserWindow` would be seen: the sign-in must never open an app window.
    BrowserWindow: class {
      constructor(options: unknown) {
        created.push(options);
      }
    },
  };
});
vi.mock('electron', () => ({ shell: electron.shell, BrowserWindow: electron.BrowserWindow }));

const { openSignInPage, parseSignInUrl } = await import('../../src-main/electron/system-browser');

beforeEach(() => {
  electron.opened.length = 0;
  electron.created.length = 0;
});

describe('sign-in page opener', () => {
  it('accepts https anywhere and plain http only on this computer', () => {
    expect(parseSignInUrl('https://lobby.example/oauth2/authorize?client_id=generic_lobby')?.host).toBe('lobby.example');
    expect(parseSignInUrl('http://127.0.0.1:8200/oauth2/authorize')?.port).toBe('8200');
    expect(parseSignInUrl('http://localhost:9/x')).not.toBeNull();
    expect(parseSignInUrl('http://[::1]:9/x')).not.toBeNull();
    for (const bad of [
      'http://lobby.example/oauth2/authorize',
      'http://127.0.0.1.evil.example/',
      'https://user:pass@lobby.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'steam://run/123',
      'data:text/html,<h1>x</h1>',
      'not a url',
      '',
      `https://lobby.example/${'a'.repeat(9000)}`,
    ]) {
      expect(parseSignInUrl(bad), bad).toBeNull();
    }
  });

  it('opens the parsed address with shell.openExternal and never an app window', async () => {
    await openSignInPage('https://lobby.example/oauth2/authorize?state=abc&scope=tachyon.lobby');
    await openSignInPage('http://127.0.0.1:8200/oauth2/authorize?state=abc');
    expect(electron.opened).toEqual(['https://lobby.example/oauth2/authorize?state=abc&scope=tachyon.lobby', 'http://127.0.0.1:8200/oauth2/authorize?state=abc']);
    await expect(openSignInPage('file:///etc/passwd')).rejects.toThrow(/not an http\(s\) address/);
    await expect(openSignInPage('http://lobby.example/authorize')).rejects.toThrow();
    expect(electron.opened).toHaveLength(2);
    expect(electron.created).toEqual([]);
  });
});
