// JSON answers from OAuth endpoints read with a byte cap: a hostile server cannot make the app buffer more than this.

/** Far above any discovery document or token answer (Teiserver's are under 2 KiB). */
export const MAX_OAUTH_BODY_BYTES = 64 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the answer is larger than ${maxBytes / 1024} KiB`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The body parsed as JSON. Past `maxBytes` (declared or streamed) it stops reading, cancels the rest and throws
 * BodyTooLargeError; a body that is not JSON throws SyntaxError.
 */
export async function readJsonBody(response: Response, maxBytes = MAX_OAUTH_BODY_BYTES): Promise<unknown> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new BodyTooLargeError(maxBytes);
  }
  if (!response.body) return JSON.parse('');
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
}
