// Plain GETs for rapid (and the streamer's one POST), on node:http/https with agents the caller owns (closed when its download ends, so no keep-alive
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
  /** Sends this body with a POST instead of a GET (the streamer's request); a POST is never redirected. */
  readonly post?: { readonly body: Buffer; readonly type: string };
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
  const { post } = options;
  const request = (secure ? https : http).request(url, {
    method: post ? 'POST' : 'GET',
    agent: secure ? options.agents.https : options.agents.http,
    signal,
    headers: {
      'cache-control': 'no-cache', 'accept-encoding': 'identity',
      ...(options.ifNoneMatch ? { 'if-none-match': options.ifNoneMatch } : {}),
      ...(rangeStart > 0 ? { range: `bytes=${rangeStart}-` } : {}),
      ...(post ? { 'content-type': post.type, 'content-length': String(post.body.length) } : {}),
    },
  });
  request.end(post?.body);
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
    if ([301, 302, 303, 307, 308].includes(status) && (options.redirects ?? 0) > 0 && !post) return { redirect: redirectTarget(url, response.headers.location, what) };
    if (status === 404) throw new RapidError('not_found', `${what} is not on the server (HTTP 404)`, status);
    const partial = status === 206 && rangeStart > 0;
    if (status !== 200 && !partial) throw new RapidError('http_error', `${what}: the server answered HTTP ${status}`, status);
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
    // The body is listened to at once (before the caller's onResponse has run), so no chunk or close is missed.
    let received = 0;
    let told = false;
    const tell = async () => {
      if (told) return;
      told = true;
      await options.onResponse?.({ offset, total });
    };
    await consume(response, async (chunk) => {
      await tell();
      received += chunk.length;
      if (offset + received > maxBytes) throw new RapidError('too_large', `${what} is larger than ${maxBytes} bytes`);
      await onChunk(chunk);
    });
    await tell();
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

/** Bytes queued before the socket is paused (a slow disk slows the socket). */
const QUEUE_HIGH_BYTES = 4 << 20;

/**
 * Hands each chunk of a body to `handle`, one at a time and in order. Unlike an async iterator, a connection that breaks
 * does not drop chunks that arrived before it: they are all handled first, then the failure is thrown, so a resumable
 * download keeps every byte it received.
 */
function consume(stream: http.IncomingMessage, handle: (chunk: Buffer) => Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const queue: Buffer[] = [];
    let queued = 0;
    let busy = false;
    let ended = false;
    let failure: unknown;
    let settled = false;
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      if (error === undefined) resolve();
      else reject(error);
    };
    const pump = async () => {
      if (busy || settled) return;
      busy = true;
      try {
        while (queue.length > 0) {
          const chunk = queue.shift()!;
          queued -= chunk.length;
          await handle(chunk);
          if (queued < QUEUE_HIGH_BYTES / 2 && stream.isPaused()) stream.resume();
        }
      } catch (error) {
        busy = false;
        stream.destroy();
        return settle(error);
      }
      busy = false;
      if (failure !== undefined) settle(failure);
      else if (ended) settle();
    };
    stream.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      queued += chunk.length;
      if (queued > QUEUE_HIGH_BYTES) stream.pause();
      void pump();
    });
    stream.once('end', () => { ended = true; void pump(); });
    stream.once('error', (error) => { failure ??= error; void pump(); });
    // A body cut short ends with 'close' and no 'end' (or an 'aborted' error first); the caller tells cut from whole.
    stream.once('close', () => { if (!ended && failure === undefined) ended = true; void pump(); });
  });
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
