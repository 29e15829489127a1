// The one rule for what may be sent as a bearer token: it goes into an HTTP header, so anything else must be refused where it enters.

/** Longest token accepted (Teiserver's tokens are far shorter; a token is a header line, not a payload). */
export const MAX_BEARER_TOKEN_LENGTH = 4096;

// RFC 6750 §2.1 b64token: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then any number of "=".
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Why `token` cannot be used as a bearer token, or undefined when it can. Never quotes the token. */
export function bearerTokenProblem(token: unknown): string | undefined {
  if (typeof token !== 'string' || token.length === 0) return 'the token is empty';
  if (token.length > MAX_BEARER_TOKEN_LENGTH) return `the token is longer than ${MAX_BEARER_TOKEN_LENGTH} characters`;
  if (!B64TOKEN.test(token)) return 'the token holds characters a bearer token cannot (RFC 6750 allows letters, digits and -._~+/=)';
  return undefined;
}

/** True when `token` can go into `Authorization: Bearer …` as it is. */
export function isBearerToken(token: unknown): token is string {
  return bearerTokenProblem(token) === undefined;
}
