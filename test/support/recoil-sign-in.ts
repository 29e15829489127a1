// How recoil-autohost signs in (its oauth2Client, described in words): discovery must list response type "token" and a
// token endpoint, then client_credentials over HTTP Basic with URL-encoded id and secret, no scope, and a Bearer answer.

export class RecoilSignInError extends Error {}

/** The checks recoil-autohost makes, in its order; returns the access token. */
export async function recoilSignIn(baseUrl: string, clientId: string, clientSecret: string, scope?: string): Promise<string> {
  const meta = await fetch(`${baseUrl}/.well-known/oauth-authorization-server`);
  if (!meta.ok) throw new RecoilSignInError(`Failed to fetch OAuth2 metadata (${meta.status})`);
  const doc = (await meta.json()) as Record<string, unknown>;
  const types = doc.response_types_supported;
  if (typeof doc.issuer !== 'string' || !Array.isArray(types) || !types.every((t) => typeof t === 'string')) {
    throw new RecoilSignInError('Invalid OAuth2 Authorization Server Metadata object');
  }
  if (!types.includes('token') || typeof doc.token_endpoint !== 'string' || doc.token_endpoint === '') {
    throw new RecoilSignInError('OAuth2 server does not support token endpoint');
  }
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scope) body.append('scope', scope);
  const answer = await fetch(doc.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` }, body });
  const json = (await answer.json().catch(() => null)) as Record<string, unknown> | null;
  if (!answer.ok) throw new RecoilSignInError(`Failed to fetch OAuth2 token (${answer.status}): ${String(json?.error)}`);
  if (typeof json?.access_token !== 'string' || typeof json.token_type !== 'string') throw new RecoilSignInError('Invalid OAuth2 Access Token object');
  if (json.token_type !== 'Bearer') throw new RecoilSignInError(`Unsupported OAuth2 Access Token type: ${json.token_type}, expected Bearer`);
  return json.access_token;
}
