// The fetchers the download manager runs, per kind: games through rapid; maps and engines through the files API once
// this lobby has a client for it (until then those kinds are absent and an item of them fails in words).
import type { ContentFetcher, ContentFetchers, FetchProgress } from './downloads';
import { RapidClient, DEFAULT_RAPID_MASTER } from './rapid-client';

/** The production files API (maps and engines): the address Beyond All Reason's lobby uses. */
export const DEFAULT_FILES_API = 'https://files-cdn.beyondallreason.dev/find';

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
