// The fetchers the download manager runs, per kind: games through rapid; maps and engines through the files API once
// this lobby has a client for it (until then those kinds are absent and an item of them fails in words).
import type { ContentFetcher, ContentFetchers, FetchProgress } from './downloads';
import { RapidClient, DEFAULT_RAPID_MASTER } from './rapid-client';

/** The production files API (maps and engines): the address Beyond All Reason's lobby uses. */
export const DEFAULT_FILES_API = 'https://files-cdn.beyondallreason.dev/find';

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

export function createContentFetchers(sources: ContentSources): ContentFetchers {
  const rapid = new RapidClient({ dataDir: sources.dir, master: sources.rapidMaster ?? DEFAULT_RAPID_MASTER });
  return { game: rapidGameFetcher(rapid), ...sources.extra };
}
