// Shared pieces of the sign-in tests: the embedded server, a fetch that records every secret it carries, the browser step played over HTTP, and the log grep.
import { createMemoryLogger } from '../../src-main/core/log';
import { TachyonServer, type TachyonServerOptions } from '../../src-main/core/server/tachyon-server';
import type { FetchLike } from '../../src-main/core/auth';
import { consentCodeFor, requestLabelOf, showConsentCode } from '../support/consent-console';
import { controlsOf } from '../support/server-controls';

/** Every line any logger wrote, every message of an error a test caught, everything printed. */
export const logger = createMemoryLogger('debug');
export const logLines = logger.lines;
/** Every token, code and verifier that crossed HTTP during the tests. */
export const secrets = new Set<string>();

export function note(line: string): void {
  logLines.push(`note: ${line}`);
}

export async function startServer(options: TachyonServerOptions = {}): Promise<TachyonServer> {
  const server = new TachyonServer({ rateLimit: null, logger: logger.child('server'), ...options, oauth: { showConsentCode, ...options.oauth } });
  controlsOf(server); // before anyone connects, so it sees every peer
  await server.listen(0);
  return server;
}

export interface RecordingFetch extends FetchLike {
  /** Token endpoint requests by grant_type, and revocations. */
  readonly counts: Record<string, number>;
  /** Changes a form body before it is sent (tests of a wrong verifier). */
  rewrite: ((form: URLSearchParams) => void) | null;
  /** Holds token requests of this grant type back for a while (tests of an expired code, or of concurrency). */
  delays: Record<string, number>;
}

/** Node's fetch, remembering the secrets in form bodies and JSON answers so the log grep knows what to look for. */
export function recordingFetch(): RecordingFetch {
  const counts: Record<string, number> = {};
  const fn = (async (input: string | URL, init?: RequestInit) => {
    let body = init?.body;
    if (typeof body === 'string') {
      const form = new URLSearchParams(body);
      fn.rewrite?.(form);
      body = form.toString();
      for (const key of ['code', 'code_verifier', 'refresh_token', 'token']) {
        const value = form.get(key);
        if (value) secrets.add(value);
      }
      const kind = form.get('grant_type') ?? (form.has('token') ? 'revoke' : 'other');
      counts[kind] = (counts[kind] ?? 0) + 1;
      const delay = fn.delays[kind];
      if (delay) await new Promise((r) => setTimeout(r, delay));
    }
    const response = await fetch(input, { ...init, body });
    // Read the copy whole: a tee'd body left unread would stall the caller's cancel().
    const text = await response.clone().text();
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      let json: Record<string, unknown> | null = null;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        json = null;
      }
      for (const key of ['access_token', 'refresh_token']) if (typeof json?.[key] === 'string') secrets.add(json[key] as string);
    }
    return response;
  }) as RecordingFetch;
  Object.assign(fn, { counts, rewrite: null, delays: {} });
  return fn;
}

export interface BrowserOutcome {
  /** Where the consent sent the browser (the loopback callback, with code or error). */
  location: string;
  /** The callback page the player sees. */
  status: number;
  page: string;
}

export interface ConsentForm {
  /** The hidden fields and the code the person typed, as the form would send them. */
  readonly form: URLSearchParams;
  /** The cookie the page set (a browser sends it back with the form). */
  readonly cookie: string;
}

/** Opens the consent page, reads which request it is, and fills in the code the server console showed for it. */
export async function openConsent(authorizeUrl: string, options: { decision?: 'allow' | 'deny'; player?: string } = {}): Promise<ConsentForm> {
  const consent = await fetch(authorizeUrl);
  const html = await consent.text();
  if (consent.status !== 200) throw new Error(`consent page answered ${consent.status}: ${html.slice(0, 200)}`);
  const requestId = /name="request" value="([^"]+)"/.exec(html)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  const player = options.player ?? /name="player" value="([^"]+)"/.exec(html)?.[1];
  if (!requestId || !csrf) throw new Error('no consent form on the page');
  const form = new URLSearchParams({ request: requestId, csrf, code: consentCodeFor(requestLabelOf(html)), decision: options.decision ?? 'allow' });
  if (player) form.set('player', player);
  const cookie = (consent.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { form, cookie };
}

/** Sends the consent form as the browser would (same origin, with the page's cookie). */
export function submitConsent(authorizeUrl: string, consent: ConsentForm): Promise<Response> {
  const target = new URL('/oauth2/authorize', authorizeUrl);
  return fetch(target, { method: 'POST', body: consent.form, redirect: 'manual', headers: { cookie: consent.cookie, origin: target.origin } });
}

/** Plays the system browser: opens the authorize URL, types the console's code, picks a player, clicks Allow or Deny, follows the redirect to the loopback callback. */
export async function playBrowser(authorizeUrl: string, options: { decision?: 'allow' | 'deny'; player?: string; tamper?: (callback: URL) => void } = {}): Promise<BrowserOutcome> {
  const decided = await submitConsent(authorizeUrl, await openConsent(authorizeUrl, options));
  const location = decided.headers.get('location');
  if (decided.status !== 303 || !location) throw new Error(`consent answered ${decided.status} without a redirect`);
  const callback = new URL(location);
  const code = callback.searchParams.get('code');
  if (code) secrets.add(code);
  options.tamper?.(callback);
  const answer = await fetch(callback);
  return { location: callback.toString(), status: answer.status, page: await answer.text() };
}

export async function postForm(url: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) as Record<string, unknown> : {} };
}

/** The secret grep: no recorded secret in any line. */
export function leakedSecrets(): string[] {
  const leaks: string[] = [];
  for (const secret of secrets) {
    if (secret.length < 8) continue;
    // Report where, never the secret itself: the failure message is a log too.
    for (const line of logLines) if (line.includes(secret)) leaks.push(`a secret in: ${line.slice(0, line.indexOf(secret)).slice(0, 120)}…`);
  }
  return leaks;
}
