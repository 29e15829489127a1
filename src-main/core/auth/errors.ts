// Sign-in failures as stable codes plus a sentence for the player; messages never carry a token, code or verifier.
import { UNSAFE_LINE_CHARS } from '../connection/one-line';

export type AuthErrorCode =
  | 'discovery_failed'   // the server's metadata is missing or fails RFC 8414's checks or does not offer S256
  | 'insecure_server'    // an endpoint would carry secrets over plain http to a remote host
  | 'access_denied'      // the player said no on the server's page
  | 'authorization_failed' // the server's page answered with another error
  | 'state_mismatch'     // the callback does not belong to this sign-in attempt
  | 'timeout'            // nobody came back to the loopback listener in time
  | 'cancelled'
  | 'token_request_failed' // the token endpoint refused or answered nonsense
  | 'network'            // the server could not be reached
  | 'sign_in_needed';    // the session is over (invalid_grant, signed out): sign in again

export class AuthError extends Error {
  constructor(readonly code: AuthErrorCode, message: string, readonly oauthError?: string) {
    super(message);
    this.name = 'AuthError';
  }
}

/** Text from a server (error_description, page parameters) made safe to show: one line, no control or bidi characters, bounded. */
export function serverText(text: unknown, max = 200): string {
  if (typeof text !== 'string') return '';
  return text.replace(UNSAFE_LINE_CHARS, ' ').slice(0, max);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
