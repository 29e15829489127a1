// Main's own check of a settings change before it is stored: the server address by the core's rules, folders that are absolute and usable.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SettingsView } from '../contract';
import { ServerAddressError, tachyonUrl } from '../core/connection/server-url';
import { IntentError } from '../core/lobby/intents';

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
    if (error instanceof ServerAddressError && /unencrypted/.test(error.message)) {
      throw new IntentError('invalid_input', 'Plain http:// is only allowed for this computer (127.0.0.1 or localhost). Use https:// for a remote server.');
    }
    if (error instanceof ServerAddressError && /credentials/.test(error.message)) {
      throw new IntentError('invalid_input', 'The server address must not contain a user name or password.');
    }
    throw new IntentError('invalid_input', 'The server address is not usable. Use one like https://server.example.');
  }
  return text;
}

async function isDirectory(dir: string): Promise<boolean | null> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return null; // missing or unreadable
  }
}

/** Engine folders: absolute, existing folders; duplicates dropped, order kept. */
export async function checkEnginePaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const raw of paths) {
    const dir = raw.trim();
    if (!path.isAbsolute(dir)) throw new IntentError('invalid_input', `Engine folder "${dir}" is not a full path (start it with / or a drive letter).`);
    const found = await isDirectory(dir);
    if (found === null) throw new IntentError('invalid_input', `Engine folder "${dir}" does not exist.`);
    if (!found) throw new IntentError('invalid_input', `Engine folder "${dir}" is a file, not a folder.`);
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
  return path.resolve(dir);
}

/** The whole check for one change; what is returned is what gets stored. */
export async function checkSettingsChange(change: Partial<SettingsView>): Promise<Partial<SettingsView>> {
  const checked: { -readonly [K in keyof SettingsView]?: SettingsView[K] } = {};
  if ('serverUrl' in change) checked.serverUrl = change.serverUrl === null || change.serverUrl === undefined ? null : checkServerAddress(change.serverUrl);
  if ('enginePaths' in change) checked.enginePaths = await checkEnginePaths(change.enginePaths ?? []);
  if ('dataDir' in change) checked.dataDir = change.dataDir === null || change.dataDir === undefined ? null : await checkDataDir(change.dataDir);
  return checked;
}
