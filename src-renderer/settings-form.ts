// The page's own checks, for errors next to each field as the player types: the settings form (engine folders, data directory)
// and the Servers panel's "Add a server" address. Main checks again and has the last word.
export interface SettingsDraft {
  /** One folder per line. */
  readonly enginePaths: string;
  readonly dataDir: string;
}

export interface SettingsValues {
  readonly enginePaths: readonly string[];
  /** null: the app's default. */
  readonly dataDir: string | null;
}

export type SettingsErrors = { readonly [K in keyof SettingsDraft]?: string };

export type SettingsCheck = { readonly ok: true; readonly value: SettingsValues } | { readonly ok: false; readonly errors: SettingsErrors };

/** Same rule as the core's connection (server-url.ts): 127.0.0.0/8, localhost and ::1 may use plain http. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Null when the address is fine (or empty; `newServerAddressError` refuses that). */
export function serverAddressError(text: string): string | null {
  const value = text.trim();
  if (value === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Not a web address. Use one like https://server.example.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Start the address with https:// (or http:// for this computer).';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return 'Plain http:// is only for this computer (127.0.0.1 or localhost). Use https:// for a remote server.';
  if (url.username || url.password) return 'Leave the user name and password out of the address.';
  return null;
}

/** The "Add a server" address: like `serverAddressError`, but an empty address is not a server to add. */
export function newServerAddressError(text: string): string | null {
  if (text.trim() === '') return 'Type the server\'s address, like https://server.example.';
  return serverAddressError(text);
}

/** POSIX `/…`, Windows `C:\…` or `\\server\share`: the page cannot resolve relative paths against anything sensible. */
export function isAbsolutePath(value: string): boolean {
  return value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value) || value.startsWith('\\\\');
}

export function splitLines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
}

export function checkSettingsDraft(draft: SettingsDraft): SettingsCheck {
  const errors: { -readonly [K in keyof SettingsDraft]?: string } = {};
  const paths = splitLines(draft.enginePaths);
  const relative = paths.findIndex((p) => !isAbsolutePath(p));
  if (relative >= 0) errors.enginePaths = `Line ${relative + 1} is not a full path: start it with / (or a drive letter on Windows).`;
  else if (paths.length > 32) errors.enginePaths = 'At most 32 engine folders.';
  const dataDir = draft.dataDir.trim();
  if (dataDir !== '' && !isAbsolutePath(dataDir)) errors.dataDir = 'Not a full path: start it with / (or a drive letter on Windows).';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { enginePaths: paths, dataDir: dataDir === '' ? null : dataDir } };
}

/** A content address (rapid master, files API) as typed: empty means the production one; main checks again. */
export function contentAddressError(text: string): string | null {
  const value = text.trim();
  if (value === '') return null;
  const problem = serverAddressError(value);
  if (problem !== null) return problem;
  const url = new URL(value);
  if (url.search || url.hash) return 'Leave the query (?…) and fragment (#…) out of the address.';
  return null;
}
