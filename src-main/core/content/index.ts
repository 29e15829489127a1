// core/content: getting games onto the player's disk (rapid-client.ts), the download manager (downloads.ts), queue-ready
// checks (content-readiness.ts) and the Library (content-library.ts).
export { DEFAULT_RAPID_MASTER, RapidClient } from './rapid-client';
export type { InstallOptions, RapidClientOptions, RapidInstall } from './rapid-client';
export type { RapidProgress } from './progress';
export { RapidError, RAPID_LIMITS, findVersion, parseRepos, parseVersions, readSdp, sdpDigest, normaliseRequest, urlCachePath } from './rapid-format';
export type { RapidErrorCode, RapidRepo, RapidVersion, SdpEntry } from './rapid-format';
export { DownloadError, DownloadManager, byteWords, statfsFreeBytes } from './downloads';
export type { ContentFetcher, ContentFetchers, DownloadManagerOptions, FetchOptions, FetchProgress } from './downloads';
export { DEFAULT_FILES_API, contentAddress, createContentFetchers, rapidGameFetcher } from './content-fetchers';
export type { ContentSources } from './content-fetchers';
export { ContentNotReadyError, ContentReadiness } from './content-readiness';
export type { ContentNeeds, ContentReadinessOptions, MissingItem } from './content-readiness';
export { ContentLibrary } from './content-library';
export type { ContentLibraryOptions, LibraryEngine } from './content-library';
