// The player engine's public API: the lobby's adapter that answers battle/start by launching the player's engine.
export { PlayerEngine } from './player-engine';
export type { PlayerEngineOptions, ReplayToWatch } from './player-engine';
export { SkirmishAiCatalog } from './skirmish-ai-catalog';
