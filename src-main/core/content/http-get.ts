// Plain GETs for rapid, on node:http/https with agents the caller owns (closed when its download ends, so no keep-alive
// socket outlives it). Every body is capped by bytes; a status, a cut body or an abort becomes a RapidError.
import http from 'node:http';
import https from 'node:https';
import { RapidError } from './rapid-format';

export interface HttpAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
  destroy(): void;
}

export function createAgents(maxSockets: number): HttpAgents {
  const plain = new http.Agent({ keepAlive: true, maxSockets });
  const secure = new https.Agent({ keepAlive: true, maxSockets });
  return { http: plain, https: secure, destroy: () => { plain.destroy(); secure.destroy(); } };
}

export interface GetOptions {
  readonly agents: HttpAgents;
  readonly signal: AbortSignal;
  /** The body's cap; a Content-Length above it is refused before the body is read. */
  readonly maxBytes: number;
  /** What the file is, for messages ("the package index"). */
  readonly what: string;
  /** No byte for this long fails the request. */
  readonly idleMs?: number;
  /** The ETag of the copy we hold: a 304 answer means it is current. */
  readonly ifNoneMatch?: string;
  /** Asks for the body from this byte on (`Range: bytes=N-`); a 206 must say so in Content-Range, a 200 sends it all. */
  readonly rangeStart?: number;
  /** Redirects followed (http(s) only, never from https to http); 0 (the default) treats one as an error. */
  readonly redirects?: number;
  /** Called with the response before its body is read: the caller learns where the body starts and how long it is. */
  readonly onResponse?: (response: { offset: number; total: number | undefined }) => Promise<void> | void;
}

export interface GetResult {
  readonly received: number;
  /** The server answered 304: the copy named by `ifNoneMatch` is current, and no body came. */
  readonly notModified: boolean;
  readonly etag: string | undefined;
  /** Where the body started: `rangeStart` when the server answered 206, else 0. */
  readonly offset: number;
  /** The whole file's length, when the server said (Content-Length, or Content-Range's total). */
  readonly total: number | undefined;
}

/** An ETag we keep and send back: printable ASCII, short. */
function usableEtag(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^[\x21-\x7e]{1,200}$/.test(value) ? value : undefined;
}

function abortedError(): RapidError {
  return new RapidError('aborted', 'the download was cancelled');
}

/** GETs `url` and hands each body chunk to `onChunk` (awaited, so a slow disk slows the socket). */
export async function httpGet(url: URL, options: GetOptions, onChunk: (chunk: Buffer) => Promise<void> | void): Promise<GetResult> {
  for (let hop = 0; ; hop++) {
    const answer = await httpGetOnce(url, options, onChunk);
    if (!('redirect' in answer)) return answer;
    if (hop >= (options.redirects ?? 0)) throw new RapidError('http_error', `${options.what}: the server redirected too often`);
    url = answer.redirect;
  }
}

/** Where a 3xx points: absolute, http(s), no credentials, never down from https to http. */
function redirectTarget(from: URL, location: string | undefined, what: string): URL {
  let to: URL;
  try {
    to = new URL(location ?? '', from);
  } catch {
    throw new RapidError('http_error', `${what}: the server redirected to a bad address`);
  }
  if ((to.protocol !== 'http:' && to.protocol !== 'https:') || to.username || to.password || (from.protocol === 'https:' && to.protocol === 'http:')) {
    throw new RapidError('http_error', `${what}: the server redirected to an address that is not allowed`);
  }
  return to;
}

async function httpGetOnce(url: URL, options: GetOptions, onChunk: (chunk: Buffer) => Promise<void> | void): Promise<GetResult | { redirect: URL }> {
  const { signal, maxBytes, what } = options;
  if (signal.aborted) throw abortedError();
  const secure = url.protocol === 'https:';
  const rangeStart = options.rangeStart ?? 0;
  const request = (secure ? https : http).get(url, {
    agent: secure ? options.agents.https : options.agents.http,
    signal,
    headers: {
      'cache-control': 'no-cache', 'accept-encoding': 'identity',
      ...(options.ifNoneMatch ? { 'if-none-match': options.ifNoneMatch } : {}),
      ...(rangeStart > 0 ? { range: `bytes=${rangeStart}-` } : {}),
    },
  });
  // Failures reach the caller through the response promise or the body's stream; a second error event must not crash the process.
  request.on('error', () => undefined);
  request.setTimeout(options.idleMs ?? 30_000, () => request.destroy(new RapidError('network', `${what}: the server stopped sending`)));
  let response: http.IncomingMessage;
  try {
    response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', reject);
    });
  } catch (error) {
    throw mapError(error, signal, what);
  }
  try {
    const status = response.statusCode ?? 0;
    if (status === 304 && options.ifNoneMatch) return { received: 0, notModified: true, etag: options.ifNoneMatch, offset: 0, total: undefined };
    if ([301, 302, 303, 307, 308].includes(status) && (options.redirects ?? 0) > 0) return { redirect: redirectTarget(url, response.headers.location, what) };
    if (status === 404) throw new RapidError('not_found', `${what} is not on the server (HTTP 404)`);
    const partial = status === 206 && rangeStart > 0;
    if (status !== 200 && !partial) throw new RapidError('http_error', `${what}: the server answered HTTP ${status}`);
    const declared = response.headers['content-length'];
    const length = declared === undefined ? undefined : Number(declared);
    if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) throw new RapidError('http_error', `${what}: the server sent a bad Content-Length`);
    let offset = 0;
    let total = length;
    if (partial) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers['content-range'] ?? '');
      const first = Number(range?.[1]);
      const last = Number(range?.[2]);
      if (!range || first !== rangeStart || last < first || (length !== undefined && length !== last - first + 1)) {
        throw new RapidError('http_error', `${what}: the server answered a range that was not asked for`);
      }
      offset = first;
      total = range[3] === '*' ? undefined : Number(range[3]);
      if (total !== undefined && total !== last + 1) throw new RapidError('http_error', `${what}: the server answered a range that was not asked for`);
    }
    if ((length !== undefined && offset + length > maxBytes) || (total !== undefined && total > maxBytes)) {
      throw new RapidError('too_large', `${what} is larger than ${maxBytes} bytes`);
    }
    await options.onResponse?.({ offset, total });
    let received = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (offset + received > maxBytes) throw new RapidError('too_large', `${what} is larger than ${maxBytes} bytes`);
      await onChunk(chunk);
    }
    if (!response.complete || (length !== undefined && received !== length)) throw new RapidError('network', `${what} was cut short`);
    return { received, notModified: false, etag: usableEtag(response.headers.etag), offset, total: total ?? (partial ? undefined : received) };
  } catch (error) {
    throw mapError(error, signal, what);
  } finally {
    // A body that all arrived but was not read (an error page) is drained, so the socket goes back to the agent; one
    // still arriving is dropped with its socket, never put back half-read.
    if (response.complete) response.resume();
    else request.destroy();
  }
}

/** The whole body in memory, for the small index files. */
export async function httpGetBuffer(url: URL, options: GetOptions): Promise<GetResult & { body: Buffer }> {
  const chunks: Buffer[] = [];
  const result = await httpGet(url, options, (chunk) => { chunks.push(chunk); });
  return { ...result, body: Buffer.concat(chunks) };
}

function mapError(error: unknown, signal: AbortSignal, what: string): RapidError {
  if (signal.aborted) return abortedError();
  if (error instanceof RapidError) return error;
  const code = (error as { code?: string }).code;
  return new RapidError('network', `${what}: ${code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' ? 'the connection broke' : `the download failed (${code ?? 'network error'})`}`);
}

export interface RetryOptions {
  /** Further attempts after the first. */
  readonly retries: number;
  /** The wait before the n-th retry is n times this. */
  readonly delayMs: number;
  readonly signal: AbortSignal;
}

/** A refused or broken connection, a cut body or a 5xx may pass; a 404, a bad file or a cancel will not. */
function transient(error: unknown): boolean {
  return error instanceof RapidError && (error.code === 'network' || (error.code === 'http_error' && /HTTP 5\d\d$/.test(error.message)));
}

/** Runs `attempt` again on a transient failure, `retries` times at most, waiting a little longer each time. */
export async function withRetries<T>(options: RetryOptions, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= options.retries || !transient(error) || options.signal.aborted) throw error;
    }
    await abortableDelay(options.delayMs * (n + 1), options.signal);
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
