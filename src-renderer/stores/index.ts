// One Pinia setup store per slice; each holds a shallowRef written only by the shared reducers (src-main/shared) or a snapshot.
// The value slices (src-main/shared/lobby-slices.ts) share one store shape, `useSliceStore(name)`; the rest are written out.
import { defineStore } from 'pinia';
import { computed, shallowRef, type ComputedRef } from 'vue';
import type {
  AppPatch, AppSnapshot, BattleUpdateView, ChatLine, ConnectionView, EngineView, LobbyValueSlices, Notice, ServersView, SessionView, SettingsView, StatsView, UserView,
} from '../../src-main/contract';
import { markThreadSeen, seenAll, unreadByThread, type SeenMarkers } from '../chat-unread';
import { UserDirectory, type UserWindow } from '../user-directory';
import {
  reduceBattleUpdates, reduceChat, reduceConnection, reduceEngine, reduceNotices, reduceStats, reduceValueSlice,
} from '../../src-main/shared/lobby-reducers';
import { valueSliceStart, type LobbyValueSliceName } from '../../src-main/shared/lobby-slices';

export type PatchOf<S extends AppPatch['slice']> = Extract<AppPatch, { slice: S }>;

/** A lobby value slice: one whose patch is its whole value (`LobbyValueSlices`); each has a store from `useSliceStore`. */
export type ValueSliceName = LobbyValueSliceName;

function startValue<K extends ValueSliceName>(name: K): LobbyValueSlices[K] {
  const start: LobbyValueSlices = valueSliceStart();
  return start[name];
}

function defineSliceStore<K extends ValueSliceName>(name: K) {
  return defineStore(name, () => {
    const view = shallowRef<LobbyValueSlices[K]>(startValue(name));
    const apply = (patch: PatchOf<K>) => (view.value = reduceValueSlice(patch as { slice: K; value: LobbyValueSlices[K] }));
    const load = (s: AppSnapshot) => (view.value = s[name]);
    return { view, apply, load };
  });
}

type SliceStoreDefinition<K extends ValueSliceName> = ReturnType<typeof defineSliceStore<K>>;
const sliceStores = new Map<ValueSliceName, unknown>();

/**
 * The store of a value slice (one whose patch is its whole value): `view` (a shallowRef of the slice), `apply` (through
 * the shared reducer, which holds bounded lists to their bound) and `load`. One Pinia store per slice, named after it.
 */
export function useSliceStore<K extends ValueSliceName>(name: K): ReturnType<SliceStoreDefinition<K>> {
  let definition = sliceStores.get(name) as SliceStoreDefinition<K> | undefined;
  if (!definition) {
    definition = defineSliceStore(name);
    sliceStores.set(name, definition);
  }
  return definition();
}

export const useSelfStore = () => useSliceStore('self');
export const useMatchmakingStore = () => useSliceStore('matchmaking');
export const useFriendsStore = () => useSliceStore('friends');
export const usePartyStore = () => useSliceStore('party');
export const useBattleStore = () => useSliceStore('battle');
/** The demos in the replays folder, newest first, as the core's replay library lists them. */
export const useReplaysStore = () => useSliceStore('replays');
/** The custom lobbies the server lists (live only while watched). */
export const useLobbiesStore = () => useSliceStore('lobbies');
/** The custom lobby the player is in, or null. */
export const useLobbyRoomStore = () => useSliceStore('lobby');
/** The skirmish AIs the player's engine can run as bots. */
export const useSkirmishAisStore = () => useSliceStore('skirmishAis');
/** What the lobby fetches and fetched lately (the Downloads view, the Play view's progress line). */
export const useDownloadsStore = () => useSliceStore('downloads');
/** Installed engines, games and maps (the Library view). */
export const useLibraryStore = () => useSliceStore('library');

export const useConnectionStore = defineStore('connection', () => {
  const view = shallowRef<ConnectionView>({ serverUrl: '', phase: 'idle', versionParity: 'unknown', protocol: 'unknown' });
  const apply = (patch: PatchOf<'connection'> | PatchOf<'protocol'>) => (view.value = reduceConnection(view.value, patch));
  const load = (s: AppSnapshot) => (view.value = s.connection);
  return { view, apply, load };
});

export const useStatsStore = defineStore('stats', () => {
  const view = shallowRef<StatsView>({ userCount: null, history: [] });
  const apply = (patch: PatchOf<'stats'>) => (view.value = reduceStats(view.value, patch));
  const load = (s: AppSnapshot) => (view.value = s.stats);
  return { view, apply, load };
});

/** How many users' reads the users store keeps a computed for (the oldest goes first); a reader beyond it still works. */
const USER_READS_KEPT = 4_096;

export const useUsersStore = defineStore('users', () => {
  // Plain storage, never a reactive proxy over every user: a patch bumps `version` once. Each user read goes through that
  // user's own computed, which changes (and so re-renders its readers) only when the user's view is a new object: a patch
  // of 1,000 users re-renders the rows and names on screen that show one of them, and nothing else. The display order
  // (kept by the directory) has its own version, bumped only when users come, go or are renamed.
  const directory = new UserDirectory();
  const version = shallowRef(0);
  const orderVersion = shallowRef(0);
  const count = shallowRef(0);
  const reads = new Map<string, ComputedRef<UserView | undefined>>();
  const apply = (patch: PatchOf<'users'>) => {
    if (directory.apply(patch)) orderVersion.value++;
    version.value++;
    count.value = directory.size;
  };
  const load = (s: AppSnapshot) => {
    directory.load(s.users);
    orderVersion.value++;
    version.value++;
    count.value = directory.size;
  };
  const byId = (userId: string): UserView | undefined => {
    let read = reads.get(userId);
    if (!read) {
      if (reads.size >= USER_READS_KEPT) reads.delete(reads.keys().next().value!);
      read = computed(() => {
        void version.value;
        return directory.get(userId);
      });
      reads.set(userId, read);
    }
    return read.value;
  };
  /** Display name for an id, falling back to the id itself (a user we have not been told about yet). */
  const nameOf = (userId: string) => byId(userId)?.displayName || byId(userId)?.username || userId;
  /** A window of the list in display order, filtered by name: the ids from `offset` on (at most `limit`) and how many match. */
  const window = (search: string, offset: number, limit: number, exceptId: string | null): UserWindow => {
    void orderVersion.value;
    return directory.window(search, offset, limit, exceptId);
  };
  return { apply, load, count, byId, nameOf, window };
});

export const useChatStore = defineStore('chat', () => {
  const lines = shallowRef<readonly ChatLine[]>([]);
  // Page-side only: which lines the player has had on screen (main neither knows nor needs to).
  const seen = shallowRef<SeenMarkers>(new Set());
  const apply = (patch: PatchOf<'chat'>) => (lines.value = reduceChat(lines.value, patch));
  const load = (s: AppSnapshot) => {
    lines.value = s.chat;
    seen.value = seenAll(s.chat);
  };
  const self = useSelfStore();
  const selfId = () => self.view?.userId ?? null;
  /** Unseen lines from others, by conversation: the Chat view's and the nav button's one source. */
  const unread = computed(() => unreadByThread(lines.value, seen.value, selfId()));
  const markSeen = (key: string) => (seen.value = markThreadSeen(seen.value, lines.value, key, selfId()));
  return { lines, seen, unread, apply, load, markSeen };
});

/** Updates of battles the local autohost hosts (Tachyon's `autohost/update`): joins, chat, defeats, the result. */
export const useBattleUpdatesStore = defineStore('battleUpdates', () => {
  const list = shallowRef<readonly BattleUpdateView[]>([]);
  const apply = (patch: PatchOf<'battleUpdates'>) => (list.value = reduceBattleUpdates(list.value, patch));
  const load = (s: AppSnapshot) => (list.value = s.battleUpdates);
  return { list, apply, load };
});

export const useEngineStore = defineStore('engine', () => {
  const view = shallowRef<EngineView>({ status: 'offline', pid: null, startedAt: null, cpuPercent: null, rssMb: null, exitCode: null, console: [] });
  const apply = (patch: PatchOf<'engine'> | PatchOf<'engineConsole'>) => (view.value = reduceEngine(view.value, patch));
  const load = (s: AppSnapshot) => (view.value = s.engine);
  return { view, apply, load };
});

export const useNoticesStore = defineStore('notices', () => {
  const list = shallowRef<readonly Notice[]>([]);
  const apply = (patch: PatchOf<'notice'>) => (list.value = reduceNotices(list.value, patch));
  const load = (s: AppSnapshot) => (list.value = s.notices);
  return { list, apply, load };
});

export const useSettingsStore = defineStore('settings', () => {
  const view = shallowRef<SettingsView>({ serverUrl: null, enginePaths: [], dataDir: null });
  const apply = (patch: PatchOf<'settings'>) => (view.value = patch.value);
  const load = (s: AppSnapshot) => (view.value = s.settings);
  return { view, apply, load };
});

/** The servers the player knows and which one the lobby uses. */
export const useServersStore = defineStore('servers', () => {
  const view = shallowRef<ServersView>({ current: 'embedded', profiles: [] });
  const apply = (patch: PatchOf<'servers'>) => (view.value = patch.value);
  const load = (s: AppSnapshot) => (view.value = s.servers);
  const current = computed(() => view.value.profiles.find((p) => p.id === view.value.current));
  return { view, apply, load, current };
});

/** The sign-in with the current server: state and words only (tokens never leave main). */
export const useSessionStore = defineStore('session', () => {
  const view = shallowRef<SessionView>({ state: 'signed_out', server: 'embedded' });
  const apply = (patch: PatchOf<'session'>) => (view.value = patch.value);
  const load = (s: AppSnapshot) => (view.value = s.session);
  return { view, apply, load };
});
