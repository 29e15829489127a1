// Removes secrets (passwords, tokens, auth codes, PKCE verifiers) from anything that may be logged.
const SECRET_KEYS = new Set([
  'password', 'passwd', 'mypasswd', 'token', 'access_token', 'refresh_token', 'accesstoken', 'refreshtoken',
  'code', 'code_verifier', 'codeverifier', 'authorization', 'client_secret', 'secret',
]);

export const REDACTED = '[redacted]';

/** A deep copy of `value` with every secret-named field replaced; depth- and size-bounded so hostile input stays cheap. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 12) return '[deep]';
  if (Array.isArray(value)) return value.slice(0, 200).map((item) => redact(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    let count = 0;
    for (const [key, item] of Object.entries(value)) {
      if (++count > 200) break;
      out[key] = SECRET_KEYS.has(key.toLowerCase()) ? REDACTED : redact(item, depth + 1);
    }
    return out;
  }
  if (typeof value === 'string' && value.length > 500) return `${value.slice(0, 500)}…`;
  return value;
}

/** Redacted, single-line JSON for logs. */
export function redactedJson(value: unknown): string {
  try {
    return JSON.stringify(redact(value));
  } catch {
    return '"[unserialisable]"';
  }
}

/** Replaces every occurrence of the given secrets in a line of text (e.g. engine console output). */
export function redactSecretsIn(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join(REDACTED);
  }
  return out;
}
