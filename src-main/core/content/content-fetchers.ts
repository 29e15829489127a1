// The fetchers the download manager runs, per kind: games through rapid, maps and engines through the files API.
import type { ContentFetcher, ContentFetchers, FetchProgress } from './downloads';
import { DEFAULT_FILES_API, FilesClient } from './files-client';
import { RapidClient, DEFAULT_RAPID_MASTER } from './rapid-client';

/** An engine archive unpacks to about this many times its size: what the disk check asks room for. */
const ENGINE_UNPACK_FACTOR = 3;

/**
 * A content address as given (settings, command line): http(s) without a user name, query or fragment; plain http only
 * for this computer, since what comes from there is run by the engine. Throws an Error in words.
 */
export function contentAddress(value: string, what: string): string {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`The ${what} is not a web address.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`The ${what} must start with https:// (or http:// for this computer).`);
  if (url.username || url.password) throw new Error(`The ${what} must not contain a user name or password.`);
  if (url.search || url.hash) throw new Error(`The ${what} must not have a query (?…) or fragment (#…).`);
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol === 'http:' && !loopback) throw new Error(`Plain http:// is only allowed for this computer. Use https:// for the ${what}.`);
  return url.href;
}

export interface ContentSources {
  /** The data dir downloads go to (`packages/`, `pool/`, `rapid/`, `maps/`, `engine/<version>/`). */
  readonly dir: string;
  readonly rapidMaster?: string;
  readonly filesApi?: string;
  /** Fetchers that replace or add to the built-in ones (tests; the files API client). */
  readonly extra?: ContentFetchers;
}

/** A rapid install as one download item: content bytes of the pool phase, network speed as the client measures it. */
export function rapidGameFetcher(client: RapidClient): ContentFetcher {
  return async (name, { signal, onProgress, beforeFetch }) => {
    let last: FetchProgress = { phase: 'downloading', bytesDone: 0, bytesTotal: null, networkBytesPerSecond: 0 };
    await client.install(name, {
      signal,
      beforePool: beforeFetch,
      onProgress: (p) => {
        if (p.phase === 'pool') last = { phase: 'downloading', bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, networkBytesPerSecond: p.bytesPerSecond };
        else if (p.phase === 'installing' || p.phase === 'done') last = { ...last, phase: 'verifying', networkBytesPerSecond: p.bytesPerSecond };
        else last = { ...last, networkBytesPerSecond: p.bytesPerSecond };
        onProgress(last);
      },
    });
  };
}

/**
 * A map or an engine through the files API. The size is known once `/find` has answered and the first bytes arrive: the
 * disk is checked then, and a refusal stops the download (what arrived stays as a part, for a later resume).
 */
export function filesFetcher(client: FilesClient, kind: 'map' | 'engine'): ContentFetcher {
  return async (name, { signal, onProgress, beforeFetch }) => {
    const local = new AbortController();
    const onAbort = () => local.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let checked = false;
    let refusal: unknown = null;
    const options = {
      signal: local.signal,
      onProgress: (p: { phase: string; bytesDone: number; bytesTotal: number; bytesPerSecond: number }) => {
        if (!checked && p.bytesTotal > 0) {
          checked = true;
          beforeFetch(kind === 'engine' ? p.bytesTotal * ENGINE_UNPACK_FACTOR : p.bytesTotal).catch((error: unknown) => {
            refusal = error;
            local.abort();
          });
        }
        const verifying = p.phase === 'verifying' || p.phase === 'extracting' || p.phase === 'done';
        onProgress({ phase: verifying ? 'verifying' : 'downloading', bytesDone: p.bytesDone, bytesTotal: p.bytesTotal > 0 ? p.bytesTotal : null, networkBytesPerSecond: p.bytesPerSecond });
      },
    };
    try {
      if (kind === 'map') await client.installMap(name, options);
      else await client.installEngine(name, options);
    } catch (error) {
      throw refusal ?? error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
}

export function createContentFetchers(sources: ContentSources): ContentFetchers {
  const rapid = new RapidClient({ dataDir: sources.dir, master: sources.rapidMaster ?? DEFAULT_RAPID_MASTER });
  const files = new FilesClient({ dataDir: sources.dir, filesApi: sources.filesApi ?? DEFAULT_FILES_API });
  return { game: rapidGameFetcher(rapid), map: filesFetcher(files, 'map'), engine: filesFetcher(files, 'engine'), ...sources.extra };
}
