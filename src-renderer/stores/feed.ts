// Routes each patch from main to the one store that owns its slice; a snapshot (first load or `reset`) reloads every store.
import type { AppPatch, AppSnapshot } from '../../src-main/contract';
import {
  useBattleStore,
  useBattleUpdatesStore,
  useChatStore,
  useConnectionStore,
  useEngineStore,
  useFriendsStore,
  useMatchmakingStore,
  useNoticesStore,
  usePartyStore,
  useReplaysStore,
  useLobbiesStore,
  useLobbyRoomStore,
  useSkirmishAisStore,
  useSelfStore,
  useServersStore,
  useSessionStore,
  useSettingsStore,
  useStatsStore,
  useUsersStore,
} from './index';
import { useDownloadsStore, useLibraryStore } from './index';

function assertNever(value: never): never {
  throw new Error(`unexpected patch ${JSON.stringify(value)}`);
}

export function loadSnapshot(snapshot: AppSnapshot): void {
  for (const store of [
    useConnectionStore(),
    useSelfStore(),
    useStatsStore(),
    useUsersStore(),
    useChatStore(),
    useMatchmakingStore(),
    useFriendsStore(),
    usePartyStore(),
    useBattleStore(),
    useBattleUpdatesStore(),
    useEngineStore(),
    useNoticesStore(),
    useReplaysStore(),
    useLobbiesStore(),
    useLobbyRoomStore(),
    useSkirmishAisStore(),
    useSettingsStore(),
    useServersStore(),
    useSessionStore(),
    useDownloadsStore(),
    useLibraryStore(),
  ]) {
    store.load(snapshot);
  }
}

export function routePatch(patch: AppPatch): void {
  switch (patch.slice) {
    case 'connection':
    case 'protocol':
      return void useConnectionStore().apply(patch);
    case 'self':
      return void useSelfStore().apply(patch);
    case 'stats':
      return void useStatsStore().apply(patch);
    case 'users':
      return void useUsersStore().apply(patch);
    case 'chat':
      return void useChatStore().apply(patch);
    case 'matchmaking':
      return void useMatchmakingStore().apply(patch);
    case 'friends':
      return void useFriendsStore().apply(patch);
    case 'party':
      return void usePartyStore().apply(patch);
    case 'battle':
      return void useBattleStore().apply(patch);
    case 'engine':
    case 'engineConsole':
      return void useEngineStore().apply(patch);
    case 'battleUpdates':
      return void useBattleUpdatesStore().apply(patch);
    case 'notice':
      return void useNoticesStore().apply(patch);
    case 'replays':
      return void useReplaysStore().apply(patch);
    case 'lobbies':
      return void useLobbiesStore().apply(patch);
    case 'lobby':
      return void useLobbyRoomStore().apply(patch);
    case 'skirmishAis':
      return void useSkirmishAisStore().apply(patch);
    case 'settings':
      return void useSettingsStore().apply(patch);
    case 'servers':
      return void useServersStore().apply(patch);
    case 'session':
      return void useSessionStore().apply(patch);
    case 'downloads':
      return void useDownloadsStore().apply(patch);
    case 'library':
      return void useLibraryStore().apply(patch);
    case 'reset':
      return loadSnapshot(patch.value);
    default:
      return assertNever(patch);
  }
}
