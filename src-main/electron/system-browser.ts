// Opens the server's sign-in page in the player's system browser (RFC 8252 §8.12: never an app window), after parsing the address.
import { shell } from 'electron';

const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * An authorize URL the app will hand to the OS: https anywhere, plain http only to this computer (the embedded
 * server's consent page on 127.0.0.1), never credentials in the address, never another scheme (file:, javascript:, custom handlers).
 */
export function parseSignInUrl(raw: string): URL | null {
  if (typeof raw !== 'string' || raw.length > 8192 || !URL.canParse(raw)) return null;
  const url = new URL(raw);
  if (url.username !== '' || url.password !== '') return null;
  if (url.protocol === 'https:') return url;
  if (url.protocol !== 'http:') return null;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || LOOPBACK.test(host) ? url : null;
}

/** `openBrowser` for core/auth's signIn: refuses what does not parse, so a hostile discovery document cannot launch anything else. */
export async function openSignInPage(raw: string): Promise<void> {
  const url = parseSignInUrl(raw);
  if (url === null) throw new Error('the server\'s sign-in page address is not an http(s) address this app will open');
  await shell.openExternal(url.href);
}
