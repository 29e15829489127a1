// core/content: getting games, maps and engines onto the player's disk. Rapid packages (rapid-client.ts), maps and
// engines through the files API (files-client.ts), 7-Zip archives (seven-zip.ts); the download manager (downloads.ts),
// queue-ready checks (content-readiness.ts) and the Library (content-library.ts).
export { DEFAULT_RAPID_CONCURRENCY, DEFAULT_RAPID_MASTER, RapidClient } from './rapid-client';
export type { InstallOptions, RapidClientOptions, RapidInstall } from './rapid-client';
export type { RapidProgress } from './progress';
export type { RapidTransport } from './rapid-streamer';
export { RapidError, RAPID_LIMITS, findVersion, parseRepos, parseVersions, readSdp, sdpDigest, normaliseRequest, streamerBits, urlCachePath } from './rapid-format';
export type { RapidErrorCode, RapidRepo, RapidVersion, SdpEntry } from './rapid-format';
export { DEFAULT_FILES_API, FilesClient } from './files-client';
export type { EngineInstall, FileInstall, FileInstallOptions, FileProgress, FilesClientOptions } from './files-client';
export { engineCategory, FILES_LIMITS, FilesError, isEngineVersion, parseFindAnswer, parseMd5Sums, pickEntry, safeFilename } from './files-format';
export type { FilesCategory, FilesEntry, FilesErrorCode } from './files-format';
export { extractArchive, listArchive, locateSevenZip, parseListing, readArchiveEntry, SEVEN_ZIP_LIMITS, SevenZipError, unsafeEntry } from './seven-zip';
export type { ArchiveEntry, ExtractOptions, ExtractResult, ReadEntryOptions, RunOptions, SevenZipBinary, SevenZipErrorCode } from './seven-zip';
export { contentArchiveReaders, sevenZipInfoReader } from './archive-readers';
export { DownloadError, DownloadManager, byteWords, statfsFreeBytes } from './downloads';
export type { ContentFetcher, ContentFetchers, DownloadManagerOptions, FetchOptions, FetchProgress } from './downloads';
export { contentAddress, createContentFetchers, filesFetcher, rapidGameFetcher } from './content-fetchers';
export type { ContentSources } from './content-fetchers';
export { ContentNotReadyError, ContentReadiness } from './content-readiness';
export type { ContentNeeds, ContentReadinessOptions, MissingItem } from './content-readiness';
export { ContentLibrary } from './content-library';
export { AssetCheck } from './asset-check';
export type { AssetAnswer, AssetStatus } from './asset-check';
export type { ContentLibraryOptions, LibraryEngine } from './content-library';
export { FirstStartFetch, firstStartReason } from './first-start';
export type { DefaultPlaylist, FirstStartFetchOptions } from './first-start';
