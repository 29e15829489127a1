// core/content: getting games onto the player's disk. Rapid packages for now (rapid-client.ts).
export { DEFAULT_RAPID_MASTER, RapidClient } from './rapid-client';
export type { InstallOptions, RapidClientOptions, RapidInstall } from './rapid-client';
export type { RapidProgress } from './progress';
export { RapidError, RAPID_LIMITS, findVersion, parseRepos, parseVersions, readSdp, sdpDigest, normaliseRequest, urlCachePath } from './rapid-format';
export type { RapidErrorCode, RapidRepo, RapidVersion, SdpEntry } from './rapid-format';
export { extractArchive, listArchive, locateSevenZip, parseListing, readArchiveEntry, SEVEN_ZIP_LIMITS, SevenZipError, unsafeEntry } from './seven-zip';
export type { ArchiveEntry, ExtractOptions, ExtractResult, ReadEntryOptions, RunOptions, SevenZipBinary, SevenZipErrorCode } from './seven-zip';
export { contentArchiveReaders, sevenZipInfoReader } from './archive-readers';
