// The renderer's only door to main: typed intents and the patch feed over `window.lobby` (the preload, or the browser test bridge).
import type { AppPatch, AppSnapshot, IntentName, IpcResult, LobbyBridge, PatchMessage, PayloadArgs, ResultOf } from '../src-main/contract';

/** `window.lobby`, read through globalThis so unit tests (plain Node, no DOM types) can stand in a bridge. */
function bridge(): LobbyBridge {
  return (globalThis as unknown as { lobby: LobbyBridge }).lobby;
}

export function invoke<N extends IntentName>(name: N, ...payload: PayloadArgs<N>): Promise<IpcResult<ResultOf<N>>> {
  return bridge().invoke(name, ...payload);
}

export interface FeedTarget {
  snapshot(state: AppSnapshot): void;
  patch(patch: AppPatch): void;
}

/**
 * Subscribes first, then asks for the snapshot: patches that arrive meanwhile wait, and those the snapshot already
 * contains (seq ≤ snapshot.seq) are dropped, so nothing is lost or applied twice. A failed snapshot rejects with words for
 * the player and leaves no listener behind, so the caller can show them and start again.
 */
export async function startFeed(target: FeedTarget): Promise<() => void> {
  let lastSeq: number | null = null;
  const waiting: PatchMessage[] = [];
  const unsubscribe = bridge().onPatch((message) => {
    if (lastSeq === null) return void waiting.push(message);
    if (message.seq <= lastSeq) return;
    lastSeq = message.seq;
    target.patch(message.patch);
  });
  let result: Awaited<ReturnType<typeof invoke<'snapshot'>>>;
  try {
    result = await invoke('snapshot');
  } catch {
    unsubscribe();
    throw new Error('The app did not answer while loading the lobby.');
  }
  if (!result.ok) {
    // Nothing half-subscribed is left behind: a retry starts the feed afresh.
    unsubscribe();
    throw new Error(result.message);
  }
  target.snapshot(result.value.state);
  lastSeq = result.value.seq;
  for (const message of waiting.splice(0)) {
    if (message.seq <= lastSeq) continue;
    lastSeq = message.seq;
    target.patch(message.patch);
  }
  return unsubscribe;
}
