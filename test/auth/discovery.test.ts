// The endpoint checks of a discovery document (RFC 8414): where sign-in secrets may go, for a server on this machine and for a remote one.
import { describe, expect, it } from 'vitest';
import { AuthError, checkMetadata } from '../../src-main/core/auth';

const base = (origin: string) => ({
  issuer: origin, authorization_endpoint: `${origin}/oauth2/authorize`, token_endpoint: `${origin}/oauth2/token`, response_types_supported: ['code'],
});

function refusal(origin: string, doc: Record<string, unknown>): AuthError {
  try {
    checkMetadata(origin, doc);
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('expected the document to be refused');
}

describe('discovery endpoints', () => {
  const remote = 'https://lobby.example';

  it('refuses plain http to this machine from a remote issuer, for every endpoint', () => {
    for (const field of ['authorization_endpoint', 'token_endpoint', 'revocation_endpoint']) {
      const error = refusal(remote, { ...base(remote), [field]: 'http://127.0.0.1:631/admin' });
      expect(error.code).toBe('insecure_server');
      expect(error.message).toContain(field);
    }
  });

  it('refuses script, file and credential-carrying addresses', () => {
    for (const value of ['javascript:alert(1)', 'file:///etc/passwd', 'https://u:p@lobby.example/oauth2/authorize', 'https://u@lobby.example/a']) {
      expect(refusal(remote, { ...base(remote), authorization_endpoint: value }).code).toBe('insecure_server');
    }
  });

  it('takes https endpoints from a remote issuer, and plain http to this machine from an issuer on this machine', () => {
    expect(checkMetadata(remote, base(remote)).authorizationEndpoint).toBe('https://lobby.example/oauth2/authorize');
    const local = 'http://127.0.0.1:8200';
    expect(checkMetadata(local, base(local)).tokenEndpoint).toBe('http://127.0.0.1:8200/oauth2/token');
    expect(checkMetadata(local, { ...base(local), token_endpoint: 'http://localhost:8200/t' }).tokenEndpoint).toBe('http://localhost:8200/t');
    // Even from a local issuer, plain http never leaves the machine.
    expect(refusal(local, { ...base(local), token_endpoint: 'http://tokens.example/t' }).code).toBe('insecure_server');
  });
});
