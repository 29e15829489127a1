// From a `battle/start` request to an engine launch: pick the engine, check content and join data, or say why not.
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import type { ContentScanCache } from './content-cache';
import { checkContent, matchContent } from './content-check';
import type { EngineRegistry } from './engine-registry';
import { UnknownEngineError } from './engine-registry';
import type { EngineClientKind, EngineLaunchRequest } from './engine-runner';
import { StartScriptError, buildJoinScript } from './start-script';

export interface BattleLaunchContext {
  registry: EngineRegistry;
  /** Content dirs the engine will use (see EngineLaunchRequest.contentDirs). */
  contentDirs: readonly string[];
  binary?: EngineClientKind;
  writeDir?: string;
  settings?: Readonly<Record<string, string | number>>;
  /** A scan cache shared by the launches of one player; without it every plan scans the data dirs. */
  content?: ContentScanCache;
}

/** `failed` reasons of `battle/start` in 1.13.0 that apply here: bad data, or something missing on our side. */
export type BattleLaunchPlan =
  | { ok: true; request: EngineLaunchRequest }
  | { ok: false; reason: 'invalid_request' | 'internal_error'; details: string };

/**
 * Everything `battle/start` needs before spawning: the engine by version lookup, the join data checked for
 * script-safety (hostile values are `invalid_request`), game and map present (else `internal_error` naming what is
 * missing). Copies known fields only. `details` is fit for the player and for the response: it never holds the password.
 */
export async function planBattleLaunch(data: BattleStartRequestData, context: BattleLaunchContext): Promise<BattleLaunchPlan> {
  const join = { ip: data.ip, port: data.port, username: data.username, password: data.password };
  try {
    buildJoinScript(join);
  } catch (error) {
    if (error instanceof StartScriptError) return { ok: false, reason: 'invalid_request', details: error.message };
    throw error;
  }
  let engine;
  try {
    engine = context.registry.resolve(data.engine.version);
  } catch (error) {
    if (error instanceof UnknownEngineError) return { ok: false, reason: 'internal_error', details: error.message };
    throw error;
  }
  const dataDirs = [...context.contentDirs, engine.dataDir];
  const content = context.content
    ? matchContent(await context.content.archives(dataDirs), data.game.springName, data.map.springName)
    : await checkContent({ dataDirs, gameName: data.game.springName, mapName: data.map.springName });
  if (!content.ok) return { ok: false, reason: 'internal_error', details: content.message ?? 'content is missing' };
  const binary = context.binary ?? 'client';
  if (engine.binaries[binary] === undefined) {
    return { ok: false, reason: 'internal_error', details: `engine ${engine.version} has no ${binary === 'client' ? 'spring' : 'spring-headless'} binary` };
  }
  const request: EngineLaunchRequest = { engine, binary, join, contentDirs: context.contentDirs };
  if (context.writeDir !== undefined) request.writeDir = context.writeDir;
  if (context.settings !== undefined) request.settings = context.settings;
  return { ok: true, request };
}
