// Paths and environment handed to the engine process, per platform: pure functions that take the path flavour.
import path from 'node:path';

/** What the checks need of `node:path`: `path` itself, or `path.win32` / `path.posix` to check another platform's paths. */
export type PathFlavour = Pick<path.PlatformPath, 'resolve' | 'isAbsolute' | 'delimiter'>;

/**
 * `dir` resolved, when the engine can be given it. The engine splits SPRING_DATADIR at the platform's delimiter (`:` on
 * Linux, `;` on Windows, see Recoil's `DataDirLocater.cpp`), so a dir holding that delimiter or a line break would
 * split the list; a drive letter (`C:\Games`) is fine on Windows.
 */
export function checkEngineDir(dir: string, what: string, flavour: PathFlavour = path): string {
  const resolved = flavour.resolve(dir);
  if (!flavour.isAbsolute(resolved) || resolved.includes(flavour.delimiter) || /[\r\n\0]/.test(resolved)) {
    throw new Error(`${what} must be an absolute path without '${flavour.delimiter}' or line breaks`);
  }
  return resolved;
}

/** The SPRING_DATADIR value for dirs already passed through `checkEngineDir` with the same flavour. */
export function springDataDirValue(dirs: readonly string[], flavour: PathFlavour = path): string {
  return dirs.join(flavour.delimiter);
}

const PASS_ENV_COMMON = ['PATH', 'LANG', 'LC_ALL'];
const PASS_ENV_UNIX = ['DISPLAY', 'WAYLAND_DISPLAY', 'XAUTHORITY', 'XDG_RUNTIME_DIR', 'PULSE_SERVER'];
// Windows programs need SystemRoot to initialise Winsock, and find DLLs and temp space through these.
const PASS_ENV_WINDOWS = ['SystemRoot', 'WINDIR', 'TEMP', 'TMP', 'PATHEXT', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA'];

/** The environment variables passed through to the engine by default on `platform`. */
export function defaultPassEnv(platform: NodeJS.Platform = process.platform): string[] {
  return [...PASS_ENV_COMMON, ...(platform === 'win32' ? PASS_ENV_WINDOWS : PASS_ENV_UNIX)];
}
