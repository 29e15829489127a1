// The HTML of the player sign-in flow: the consent page and its answers. No scripts, every value HTML-escaped, not framable.
import type { ServerResponse } from 'node:http';
import type { Account } from './accounts';
import { LOBBY_SCOPE } from './oauth';

export interface ConsentForm {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly requestId: string;
  readonly csrf: string;
  /** Names the request here and on the server console, so the person types the code printed for this very page. */
  readonly label: string;
  readonly players: readonly Account[];
  /** Why the last answer was refused (a wrong code), shown above the form. */
  readonly problem?: string;
}

export function consentPage(res: ServerResponse, status: number, form: ConsentForm, headers: Record<string, string> = {}): void {
  const { players } = form;
  const choices = players.length === 0
    ? '<p>No players exist on this server yet.</p>'
    : `<fieldset><legend>Sign in as</legend>${players.map((p, i) => `<label><input type="radio" name="player" value="${escapeHtml(p.userId)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(p.displayName)} (${escapeHtml(p.username)})</label><br>`).join('')}</fieldset>`;
  const allow = players.length === 0 ? '' : '<button type="submit" name="decision" value="allow" id="allow">Allow</button> ';
  const problem = form.problem ? `<p role="alert"><strong>${escapeHtml(form.problem)}</strong></p>` : '';
  page(res, status, 'Sign in to this Tachyon server', `<p><strong>${escapeHtml(form.clientId)}</strong> asks to play on this server for you (scope <code>${LOBBY_SCOPE}</code>), then sends your browser back to <code>${escapeHtml(form.redirectUri)}</code>.</p>
<p>To show that you run this server, type the sign-in code it printed on its console for request <strong id="request-label">${escapeHtml(form.label)}</strong>. If you did not just start a sign-in, choose Deny.</p>
${problem}<form method="post" action="/oauth2/authorize">
<input type="hidden" name="request" value="${escapeHtml(form.requestId)}">
<input type="hidden" name="csrf" value="${escapeHtml(form.csrf)}">
<p><label>Sign-in code <input type="text" name="code" id="code" autocomplete="off" spellcheck="false" maxlength="16"></label></p>
${choices}
<p>${allow}<button type="submit" name="decision" value="deny" id="deny">Deny</button></p>
</form>`, {
    // With no-referrer Chromium sends `Origin: null` on the form's POST, and the Origin check needs the real one; no other origin gets a referrer.
    'referrer-policy': 'same-origin',
    ...headers,
  });
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'content-length': '0' });
  res.end();
}

export function withParams(base: string, params: Record<string, string | null>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) if (value !== null) url.searchParams.set(key, value);
  return url.toString();
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function page(res: ServerResponse, status: number, title: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // No scripts at all; not framable (clickjacking the Allow button).
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    ...headers,
  });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
}
