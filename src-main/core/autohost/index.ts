// The local autohost's public API: the autohost actor over spring-dedicated, its client-credentials sign-in, and the hosted battles' state for the UI.
export { LocalAutohost } from './local-autohost';
export type { LocalAutohostOptions } from './autohost-options';
export { ClientCredentials, ClientCredentialsError, DISCOVERY_PATH, LOBBY_SCOPE } from './client-credentials';
export type { ClientCredentialsOptions, ClientCredentialsErrorCode, FetchLike } from './client-credentials';
export { applyBattleUpdate, battleUpdateView, initialBattleState, CHAT_LINES_KEPT } from './battle-state';
export type { HostedBattleState, HostedBattlePhase, HostedPlayer, HostedChatLine, HostedResult, HostedWinnerTally } from './battle-state';
export { UpdateBuffer, SinceTooOldError } from './update-buffer';
export type { BattleUpdate, UpdateBufferOptions } from './update-buffer';
