// PKCE (RFC 7636) and the state parameter: fresh random values per sign-in attempt.
import { createHash, randomBytes } from 'node:crypto';

export interface Pkce {
  /** Secret: stays in this process until the token request. */
  readonly verifier: string;
  readonly challenge: string;
  readonly method: 'S256';
}

/** 32 random bytes → a 43-character base64url verifier (RFC 7636 §4.1); challenge = base64url(SHA-256(verifier)), unpadded. */
export function createPkce(random: (size: number) => Buffer = randomBytes): Pkce {
  const verifier = random(32).toString('base64url');
  return { verifier, challenge: s256Challenge(verifier), method: 'S256' };
}

export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** 128 random bits, enough that a callback cannot be guessed (RFC 6749 §10.12). */
export function createState(random: (size: number) => Buffer = randomBytes): string {
  return random(16).toString('base64url');
}
