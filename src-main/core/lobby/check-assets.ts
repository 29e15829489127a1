// The lobby's answer to the server's `matchmaking/checkAssets` (Tachyon 1.23.0): the request is capped (lengths, counts,
// no control characters) before anything looks at the disk, handed to the content layer, and a `missing` answer is told
// to the player in a notice; a download it starts shows in the `downloads` slice with its own notice.
import { FailWith } from '../protocol/endpoint';
import type { RequestData, SuccessData } from '../protocol/commands';
import { TEXT_CAPS } from './caps';

export type CheckAssetsData = RequestData<'matchmaking/checkAssets'>;
export type CheckAssetsStatus = SuccessData<'matchmaking/checkAssets'>['assetStatus'];

/** What the content layer says: the status, and for `missing` why, in words. */
export interface AssetCheckResult {
  readonly status: CheckAssetsStatus;
  readonly problem?: string;
}

/** Checks the named content on disk and starts downloading what is missing; `why` is the downloads' reason. */
export type AssetChecker = (
  needs: { readonly engines: readonly string[]; readonly games: readonly string[]; readonly maps: readonly string[] },
  why: string,
) => Promise<AssetCheckResult>;

/** A queue names one game, a few engines and a map pool; more than this is no queue of a real server. */
export const CHECK_ASSETS_CAPS = { engines: 8, maps: 64 } as const;

// C0 and C1 controls, DEL, and the line and paragraph separators: never in a name.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function badName(value: string, max: number): boolean {
  return value.length === 0 || value.length > max || CONTROL.test(value);
}

/** Why the request cannot be answered, naming the field but never its value; null when it is fit to check. */
export function checkAssetsProblem(data: CheckAssetsData): string | null {
  if (badName(data.queueId, TEXT_CAPS.id)) return 'queueId is empty, too long or not plain text';
  if (data.version.length > TEXT_CAPS.id || CONTROL.test(data.version)) return 'version is too long or not plain text';
  if (data.engines.length > CHECK_ASSETS_CAPS.engines) return `more than ${CHECK_ASSETS_CAPS.engines} engines`;
  if (data.maps.length > CHECK_ASSETS_CAPS.maps) return `more than ${CHECK_ASSETS_CAPS.maps} maps`;
  if (data.engines.some((e) => badName(e, TEXT_CAPS.name))) return 'an engine version is empty, too long or not plain text';
  if (badName(data.game, TEXT_CAPS.name)) return 'game is empty, too long or not plain text';
  if (data.maps.some((m) => badName(m, TEXT_CAPS.name))) return 'a map name is empty, too long or not plain text';
  return null;
}

export interface CheckAssetsContext {
  readonly checker: AssetChecker | undefined;
  /** The playlist's name when the lobby has it listed. */
  readonly playlistName: (queueId: string) => string | undefined;
  readonly notice: (level: 'info' | 'warning' | 'error', text: string) => void;
}

export async function answerCheckAssets(data: CheckAssetsData, context: CheckAssetsContext): Promise<SuccessData<'matchmaking/checkAssets'>> {
  const problem = checkAssetsProblem(data);
  if (problem !== null) throw new FailWith<'matchmaking/checkAssets'>('invalid_request', problem);
  // A lobby that keeps no content answers as one that predates the check does.
  if (!context.checker) throw new FailWith<'matchmaking/checkAssets'>('command_unimplemented', 'this lobby does not manage content');
  const name = context.playlistName(data.queueId) ?? `queue ${JSON.stringify(data.queueId)}`;
  const result = await context.checker({ engines: data.engines, games: [data.game], maps: data.maps }, `for playlist ${name}`);
  if (result.status === 'missing') context.notice('error', `Not everything ${name} needs is here: ${result.problem ?? 'it could not be downloaded'}.`);
  return { assetStatus: result.status };
}
