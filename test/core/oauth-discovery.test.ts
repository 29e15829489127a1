// The embedded server's discovery document and token endpoint as standard OAuth clients read them: RFC 8414's shape,
// recoil-autohost's sign-in, the lobby's own player check, and the local autohost's client_credentials.
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { checkMetadata } from '../../src-main/core/auth/discovery';
import { ClientCredentials } from '../../src-main/core/autohost/client-credentials';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { recoilSignIn } from '../support/recoil-sign-in';
import { recordSecrets } from '../support/secret-ledger';

const servers: TachyonServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });

async function serve(playerSignIn: boolean): Promise<TachyonServer> {
  const server = new TachyonServer(playerSignIn ? { oauth: { showConsentCode: () => undefined } } : {});
  servers.push(server);
  await server.listen(0);
  return server;
}

async function discovery(server: TachyonServer): Promise<Record<string, unknown>> {
  const answer = await fetch(`${server.baseUrl}/.well-known/oauth-authorization-server`);
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  return (await answer.json()) as Record<string, unknown>;
}

// RFC 8414 §2: the members and their types (issuer and response_types_supported are required).
const strings = { type: 'array', items: { type: 'string' }, minItems: 1 };
const rfc8414 = new Ajv({ strict: true }).compile({
  type: 'object',
  required: ['issuer', 'response_types_supported', 'token_endpoint'],
  properties: {
    issuer: { type: 'string' }, authorization_endpoint: { type: 'string' }, token_endpoint: { type: 'string' }, revocation_endpoint: { type: 'string' },
    response_types_supported: strings, grant_types_supported: strings, token_endpoint_auth_methods_supported: strings,
    revocation_endpoint_auth_methods_supported: strings, code_challenge_methods_supported: strings, scopes_supported: strings,
  },
  additionalProperties: true,
});

describe('OAuth discovery and the token endpoint', () => {
  it('serves what Teiserver advertises, in RFC 8414 shape, with and without the player sign-in', async () => {
    for (const playerSignIn of [true, false]) {
      const server = await serve(playerSignIn);
      const doc = await discovery(server);
      expect(rfc8414(doc), JSON.stringify(rfc8414.errors)).toBe(true);
      expect(doc.issuer).toBe(server.baseUrl);
      expect(doc.token_endpoint).toBe(`${server.baseUrl}/oauth2/token`);
      expect(doc.grant_types_supported).toContain('client_credentials');
      expect(doc.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
      expect(doc.response_types_supported).toContain('token');
      if (playerSignIn) {
        expect(doc.response_types_supported).toEqual(['code', 'token']);
        expect(doc.grant_types_supported).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
        expect(doc.code_challenge_methods_supported).toEqual(['S256']);
        expect(checkMetadata(server.baseUrl, doc).authorizationEndpoint).toBe(`${server.baseUrl}/oauth2/authorize`);
      } else {
        expect(doc.authorization_endpoint).toBeUndefined();
        expect(doc.grant_types_supported).toEqual(['client_credentials']);
      }
    }
  });

  it('signs recoil-autohost in as it does (Basic, URL-encoded, with or without a scope); wrong secrets and scopes are refused', async () => {
    const server = await serve(false);
    const { clientId, secret } = server.addAutohostClient('recoil.autohost-1');
    recordSecrets(secret);
    const token = await recoilSignIn(server.baseUrl, clientId, secret);
    recordSecrets(token);
    expect(server.serviceAuthorization.clientOf(token)).toBe(clientId);
    const scoped = await recoilSignIn(server.baseUrl, clientId, secret, 'tachyon.lobby');
    recordSecrets(scoped);
    expect(server.serviceAuthorization.clientOf(scoped)).toBe(clientId);
    await expect(recoilSignIn(server.baseUrl, clientId, 'wrong')).rejects.toThrow(/\(401\): invalid_client/);
    await expect(recoilSignIn(server.baseUrl, clientId, secret, 'admin')).rejects.toThrow(/\(400\): invalid_scope/);
  });

  it('gives the local autohost its token through the same document', async () => {
    const server = await serve(true);
    const { clientId, secret } = server.addAutohostClient('local-autohost');
    recordSecrets(secret);
    const token = await new ClientCredentials({ serverUrl: server.baseUrl, clientId, clientSecret: secret }).getToken();
    recordSecrets(token);
    expect(server.serviceAuthorization.clientOf(token)).toBe(clientId);
  });
});
