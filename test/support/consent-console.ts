// The server console a person reads during a browser sign-in: tests keep each consent code by the request label the page shows, and type it as a person would.
import type { ConsentPrompt } from '../../src-main/core/server/player-authorization';
import { recordSecrets } from './secret-ledger';

const codes = new Map<string, string>();

/** The `showConsentCode` of every test server: what the standalone server prints on stderr. */
export function showConsentCode(prompt: ConsentPrompt): void {
  codes.set(prompt.label, prompt.code);
  recordSecrets(prompt.code);
}

/** The request label a consent page names (the person looks for it on the console). */
export function requestLabelOf(html: string): string {
  const label = /id="request-label">([^<]+)</.exec(html)?.[1];
  if (!label) throw new Error('the consent page names no request');
  return label;
}

/** The code the console showed for this request label. */
export function consentCodeFor(label: string): string {
  const code = codes.get(label);
  if (!code) throw new Error(`the console showed no code for request ${label}`);
  return code;
}
