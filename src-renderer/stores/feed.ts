// Routes each patch from main to the one store that owns its slice; a snapshot (first load or `reset`) reloads every store.
import type { AppPatch, AppSnapshot } from '../../src-main/contract';
import { assertNever } from '../../src-main/shared/assert-never';
import { isValueSlicePatch } from '../../src-main/shared/lobby-reducers';
import { VALUE_SLICE_NAMES } from '../../src-main/shared/lobby-slices';
import {
  useBattleUpdatesStore,
  useChatStore,
  useConnectionStore,
  useEngineStore,
  useNoticesStore,
  useServersStore,
  useSessionStore,
  useSettingsStore,
  useSliceStore,
  useStatsStore,
  useUsersStore,
} from './index';

export function loadSnapshot(snapshot: AppSnapshot): void {
  for (const store of [
    useConnectionStore(),
    useStatsStore(),
    useUsersStore(),
    useChatStore(),
    useBattleUpdatesStore(),
    useEngineStore(),
    useNoticesStore(),
    useSettingsStore(),
    useServersStore(),
    useSessionStore(),
    ...VALUE_SLICE_NAMES.map((name) => useSliceStore(name)),
  ]) {
    store.load(snapshot);
  }
}

export function routePatch(patch: AppPatch): void {
  if (isValueSlicePatch(patch)) {
    // The patch type pairs each value slice's name with its value's type; the store of that name takes it.
    return void (useSliceStore(patch.slice) as { apply(p: typeof patch): void }).apply(patch);
  }
  switch (patch.slice) {
    case 'connection':
    case 'protocol':
      return void useConnectionStore().apply(patch);
    case 'stats':
      return void useStatsStore().apply(patch);
    case 'users':
      return void useUsersStore().apply(patch);
    case 'chat':
      return void useChatStore().apply(patch);
    case 'engine':
    case 'engineConsole':
      return void useEngineStore().apply(patch);
    case 'battleUpdates':
      return void useBattleUpdatesStore().apply(patch);
    case 'notice':
      return void useNoticesStore().apply(patch);
    case 'settings':
      return void useSettingsStore().apply(patch);
    case 'servers':
      return void useServersStore().apply(patch);
    case 'session':
      return void useSessionStore().apply(patch);
    case 'reset':
      return loadSnapshot(patch.value);
    default:
      return assertNever(patch);
  }
}
