// Main's own check of a settings change before it is stored: the server address by the core's rules, folders that are absolute and usable.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SettingsView } from '../contract';
import { ServerAddressError, tachyonUrl } from '../core/connection/server-url';
import { IntentError } from '../core/lobby/intents';
import { contentAddress } from '../core/content';

/** The server address as stored: trimmed, an http(s) URL the connection accepts (plain http only for loopback). */
export function checkServerAddress(value: string): string {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new IntentError('invalid_input', 'The server address is not a web address. Use one like https://server.example.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new IntentError('invalid_input', 'The server address must start with https:// (or http:// for this computer).');
  }
  try {
    tachyonUrl(text);
  } catch (error) {
    if (error instanceof ServerAddressError && error.problem === 'unencrypted_remote') {
      throw new IntentError('invalid_input', 'Plain http:// is only allowed for this computer (127.0.0.1 or localhost). Use https:// for a remote server.');
    }
    if (error instanceof ServerAddressError && error.problem === 'credentials') {
      throw new IntentError('invalid_input', 'The server address must not contain a user name or password.');
    }
    throw new IntentError('invalid_input', 'The server address is not usable. Use one like https://server.example.');
  }
  return text;
}

/** A content address (the rapid master list, the files API) by core/content's rule, refused in words. */
export function checkContentAddress(value: string, what: string): string {
  try {
    return contentAddress(value, what);
  } catch (error) {
    throw new IntentError('invalid_input', error instanceof Error ? error.message : String(error));
  }
}

async function isDirectory(dir: string): Promise<boolean | null> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return null; // missing or unreadable
  }
}

/**
 * Why a folder the app runs code from (engine binaries and their AI libraries, game and map Lua) cannot be trusted:
 * another user could put code there. Owned by this user or root, and writable by nobody else (as OpenSSH asks of its
 * files). Not checked on Windows, where mode bits mean nothing.
 */
async function trustProblem(dir: string): Promise<string | null> {
  if (process.platform === 'win32') return null;
  const stats = await stat(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) return 'belongs to another user';
  if ((stats.mode & 0o022) !== 0) return 'can be changed by other users (group or others may write to it; chmod go-w fixes that)';
  return null;
}

/** Engine folders: absolute, existing folders only this user (or root) can change; duplicates dropped, order kept. */
export async function checkEnginePaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const raw of paths) {
    const dir = raw.trim();
    if (!path.isAbsolute(dir)) throw new IntentError('invalid_input', `Engine folder "${dir}" is not a full path (start it with / or a drive letter).`);
    const found = await isDirectory(dir);
    if (found === null) throw new IntentError('invalid_input', `Engine folder "${dir}" does not exist.`);
    if (!found) throw new IntentError('invalid_input', `Engine folder "${dir}" is a file, not a folder.`);
    const problem = await trustProblem(dir);
    if (problem !== null) throw new IntentError('invalid_input', `Engine folder "${dir}" ${problem}, so the engine it holds cannot be trusted.`);
    const normal = path.resolve(dir);
    if (!out.includes(normal)) out.push(normal);
  }
  return out;
}

/** The data directory: absolute; created when missing, so the next start can write there. */
export async function checkDataDir(value: string): Promise<string> {
  const dir = value.trim();
  if (!path.isAbsolute(dir)) throw new IntentError('invalid_input', `Data directory "${dir}" is not a full path (start it with / or a drive letter).`);
  const found = await isDirectory(dir);
  if (found === false) throw new IntentError('invalid_input', `Data directory "${dir}" is a file, not a folder.`);
  if (found === null) {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch {
      throw new IntentError('invalid_input', `Data directory "${dir}" cannot be created here. Pick a folder you can write to.`);
    }
  }
  // Its content folder holds the games and maps the engine runs (Lua, AI libraries): both must be this user's alone.
  for (const [folder, name] of [[dir, 'Data directory'], [path.join(dir, 'content'), 'Content folder']] as const) {
    if (folder !== dir && (await isDirectory(folder)) !== true) continue;
    const problem = await trustProblem(folder);
    if (problem !== null) throw new IntentError('invalid_input', `${name} "${folder}" ${problem}, so the games and maps in it cannot be trusted.`);
  }
  return path.resolve(dir);
}

/** The whole check for one change; what is returned is what gets stored. */
export async function checkSettingsChange(change: Partial<SettingsView>): Promise<Partial<SettingsView>> {
  const checked: { -readonly [K in keyof SettingsView]?: SettingsView[K] } = {};
  if ('serverUrl' in change) checked.serverUrl = change.serverUrl === null || change.serverUrl === undefined ? null : checkServerAddress(change.serverUrl);
  if ('enginePaths' in change) checked.enginePaths = await checkEnginePaths(change.enginePaths ?? []);
  if ('dataDir' in change) checked.dataDir = change.dataDir === null || change.dataDir === undefined ? null : await checkDataDir(change.dataDir);
  if ('rapidMaster' in change) checked.rapidMaster = change.rapidMaster == null ? null : checkContentAddress(change.rapidMaster, 'rapid master address');
  if ('filesApi' in change) checked.filesApi = change.filesApi == null ? null : checkContentAddress(change.filesApi, 'files API address');
  return checked;
}

/**
 * Settings read back from disk get the same check as a change (the file may have been edited by hand): each entry that
 * fails is dropped (an engine folder) or set back to the default, with the reason in words for the player.
 */
export async function recheckStoredSettings(stored: SettingsView): Promise<{ change: Partial<SettingsView>; dropped: string[] }> {
  const change: { -readonly [K in keyof SettingsView]?: SettingsView[K] } = {};
  const dropped: string[] = [];
  const refusal = (error: unknown) => (error instanceof IntentError ? error.message : 'it could not be checked');
  if (stored.serverUrl !== null) {
    try {
      const checked = checkServerAddress(stored.serverUrl);
      if (checked !== stored.serverUrl) change.serverUrl = checked;
    } catch (error) {
      change.serverUrl = null;
      dropped.push(`The saved server address was not used: ${refusal(error)}`);
    }
  }
  const kept: string[] = [];
  for (const dir of stored.enginePaths) {
    try {
      kept.push(...(await checkEnginePaths([dir])).filter((d) => !kept.includes(d)));
    } catch (error) {
      dropped.push(`A saved engine folder was dropped: ${refusal(error)}`);
    }
  }
  if (kept.join('\n') !== stored.enginePaths.join('\n')) change.enginePaths = kept;
  if (stored.dataDir !== null) {
    try {
      const checked = await checkDataDir(stored.dataDir);
      if (checked !== stored.dataDir) change.dataDir = checked;
    } catch (error) {
      change.dataDir = null;
      dropped.push(`The saved data directory was not used (the default is): ${refusal(error)}`);
    }
  }
  for (const [key, what] of [['rapidMaster', 'rapid master address'], ['filesApi', 'files API address']] as const) {
    const address = stored[key];
    if (address === null || address === undefined) continue;
    try {
      const checked = checkContentAddress(address, what);
      if (checked !== address) change[key] = checked;
    } catch (error) {
      change[key] = null;
      dropped.push(`The saved ${what} was not used (the production one is): ${refusal(error)}`);
    }
  }
  return { change, dropped };
}
