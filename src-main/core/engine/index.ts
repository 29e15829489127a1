// The engine layer's public API: installed engines, content check, start scripts, the engine process and its autohost interface.
export {
  EngineRegistry,
  UnknownEngineError,
  MissingEngineBinaryError,
  parseEngineVersion,
  runVersionCommand,
  quoteForMessage,
  DEBIAN_BIN_DIR,
  DEBIAN_DATA_DIR,
  DEBIAN_AI_DATA_DIR,
  engineDataDirs,
} from './engine-registry';
export type { EngineBinaryKind, EngineBinaries, InstalledEngine, EngineRegistryOptions, RunVersion } from './engine-registry';

export { checkContent, scanContent, scanContentReport, matchContent, springNameFromInfo } from './content-check';
export { ContentScanCache } from './content-cache';
export { listSkirmishAis, parseAiInfo, parseAiOptions } from './skirmish-ais';
export type { InstalledSkirmishAi, SkirmishAiListing, SkirmishAiOption } from './skirmish-ais';
export { parseLuaInfoTable, readInfoFile, LuaInfoError, MAX_INFO_FILE_BYTES } from './lua-info';
export type { LuaTable, LuaValue, LuaTableLimits } from './lua-info';
export type { ContentKind, ArchiveFormat, InstalledArchive, MissingContent, ContentCheckResult, ContentRequest, ContentScan, ScanOptions, UnreadableArchive } from './content-check';
export { ARCHIVE_LIMITS, ArchiveInfoCache, ArchiveReadError, readArchiveInfo } from './archive-info';
export type { ArchiveInfo, ArchiveLimits, ArchiveReaders, SevenZipReader } from './archive-info';

export {
  writeTestContent,
  TEST_GAME_NAME,
  TEST_MAP_NAME,
  TEST_CHAT_LINE,
  TEST_LUA_MESSAGE,
  DEFAULT_GAME_OVER_FRAME,
} from './test-content';
export type { TestContent, TestContentOptions } from './test-content';

export {
  buildJoinScript,
  buildHostScript,
  buildHostScriptSection,
  scriptPlayerOrder,
  normaliseBattleId,
  unsafeTextReason,
  writeTdf,
  TdfSection,
  StartScriptError,
} from './start-script';
export type { JoinScriptInput, HostScriptOptions, StartScriptProblem, ScriptTextRole } from './start-script';

export { EngineRunner, EngineBusyError, EngineSpawnError, EngineLaunchAbortedError, explainExit } from './engine-runner';
export type {
  EngineStatus,
  EnginePhase,
  EngineClientKind,
  EngineLaunchRequest,
  EngineExit,
  EngineTimings,
  EngineSnapshot,
  EngineStats,
  EngineConsoleLine,
  EngineRunnerOptions,
  EngineLaunchAbortReason,
} from './engine-runner';
export { redactEngineText } from './redact-secrets';
export { LAUNCH_DIR_PREFIX, processAlive, writeLaunchOwner } from './launch-dirs';
export { keepDemos, DEMO_SUBDIRS, MAX_KEPT_DEMO_BYTES } from './keep-demos';
export type { KeptDemo, KeptDemos } from './keep-demos';
export { checkEngineDir, springDataDirValue, defaultPassEnv } from './engine-paths';
export type { PathFlavour } from './engine-paths';

export { AutohostInterface, AutohostCommandError, decodeAutohostPacket, encodeChat, encodeCommand, PacketType } from './autohost-interface';
export type {
  AutohostEvent,
  UndecodablePacket,
  DecodeResult,
  ChatDestination,
  LeaveReason,
  ReadyState,
  LuaMsgScript,
  LuaMsgUiMode,
  TeamStatistics,
  AutohostInterfaceOptions,
} from './autohost-interface';
export { planBattleLaunch } from './battle-launch';
export type { BattleLaunchContext, BattleLaunchPlan } from './battle-launch';

export { followLines } from './output-lines';
export { engineEnvironment, killEnginesOf, spawnEngine, stopEngine, type SpawnEngineOptions } from './spawn-engine';
