// Replays: the engine's demo files read boundedly (header, roster, winners), for lists and playback.
export { readReplay, parseReplay, MAX_REPLAY_BYTES } from './replay';
export type { Replay, ReplayPlayer, ReplayTeam, ReplayBot } from './replay';
export { ReplayError, TRUNCATED_MESSAGE } from './replay-error';
export type { ReplayErrorCode } from './replay-error';
export { readDemoHeader, readDemoSections, DEMO_VERSION, HEADER_SIZE } from './demo-file';
export type { DemoHeader, DemoSections } from './demo-file';
export { readStartScript } from './start-script-reader';
export { listReplays, MAX_LISTED_REPLAYS } from './replay-list';
export type { ReplayListEntry } from './replay-list';
export { playReplay } from './replay-playback';
export type { Playback, PlaybackOptions } from './replay-playback';
export { ReplayLibrary, replayView, isReplayName, DELETED_SUBDIR } from './replay-library';
export type { ReplayLibraryOptions } from './replay-library';
