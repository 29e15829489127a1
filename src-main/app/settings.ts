// The settings the player can change, kept behind a small interface: conf (a JSON file checked against a schema) in the app and in Node tests.
import type { SettingsView } from '../contract';

export interface SettingsStore {
  get(): SettingsView;
  update(change: Partial<SettingsView>): SettingsView;
}

interface StoredSettings {
  serverUrl: string | null;
  enginePaths: string[];
  dataDir: string | null;
  rapidMaster: string | null;
  filesApi: string | null;
}

/** The part of conf we use; it validates writes against `SETTINGS_SCHEMA`. */
export interface ConfLike {
  get<K extends keyof StoredSettings>(key: K): StoredSettings[K];
  set<K extends keyof StoredSettings>(key: K, value: StoredSettings[K]): void;
}

/** conf's `schema` option: JSON Schema per key; a file edited by hand into another shape fails at load, not later. */
export const SETTINGS_SCHEMA = {
  serverUrl: { type: ['string', 'null'], default: null, maxLength: 2048 },
  enginePaths: { type: 'array', items: { type: 'string', maxLength: 4096 }, default: [] },
  dataDir: { type: ['string', 'null'], default: null, maxLength: 4096 },
  rapidMaster: { type: ['string', 'null'], default: null, maxLength: 2048 },
  filesApi: { type: ['string', 'null'], default: null, maxLength: 2048 },
} as const;

export const SETTINGS_DEFAULTS: StoredSettings = { serverUrl: null, enginePaths: [], dataDir: null, rapidMaster: null, filesApi: null };

export function createSettingsStore(backing: ConfLike): SettingsStore {
  const read = (): SettingsView => ({
    serverUrl: backing.get('serverUrl') ?? null,
    enginePaths: [...(backing.get('enginePaths') ?? [])],
    dataDir: backing.get('dataDir') ?? null,
    rapidMaster: backing.get('rapidMaster') ?? null,
    filesApi: backing.get('filesApi') ?? null,
  });
  return {
    get: read,
    update(change) {
      // Copy known fields only: a change object never reaches the file as it came.
      if ('serverUrl' in change) backing.set('serverUrl', change.serverUrl ?? null);
      if ('enginePaths' in change) backing.set('enginePaths', [...(change.enginePaths ?? [])]);
      if ('dataDir' in change) backing.set('dataDir', change.dataDir ?? null);
      if ('rapidMaster' in change) backing.set('rapidMaster', change.rapidMaster ?? null);
      if ('filesApi' in change) backing.set('filesApi', change.filesApi ?? null);
      return read();
    },
  };
}

/** For tests and the browser bridge: settings held in memory. */
export function createMemorySettingsStore(initial: Partial<SettingsView> = {}): SettingsStore {
  const data: StoredSettings = { ...SETTINGS_DEFAULTS, ...initial, enginePaths: [...(initial.enginePaths ?? [])] };
  return createSettingsStore({
    get: (key) => data[key],
    set: (key, value) => {
      data[key] = value;
    },
  });
}
