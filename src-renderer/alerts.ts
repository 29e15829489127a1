// Tells a player who is looking elsewhere that a match was found: when to alert, and the watcher over the matchmaking store (the page's side is browser-alerts.ts).
import { watch } from 'vue';
import type { MatchmakingPhase } from '../src-main/contract';
import { seconds } from './present';
import { useMatchmakingStore } from './stores';

export function shouldAlert(previous: MatchmakingPhase | undefined, next: MatchmakingPhase, focused: boolean): boolean {
  return next === 'found' && previous !== 'found' && !focused;
}

/** What an alert needs from the page: browser-alerts.ts in the app, a recording one in tests. */
export interface AlertEnv {
  focused(): boolean;
  chime(): void;
  notify(title: string, body: string): void;
}

export function matchFoundBody(timeoutMs: number | undefined): string {
  return timeoutMs ? `Ready up within ${seconds(timeoutMs)} seconds.` : 'Ready up now.';
}

/** Chime and notify when a match is found while the window is not focused; returns the watcher's stop. */
export function watchMatchFound(env: AlertEnv): () => void {
  const matchmaking = useMatchmakingStore();
  return watch(
    () => matchmaking.view.phase,
    (next, previous) => {
      if (!shouldAlert(previous, next, env.focused())) return;
      env.chime();
      env.notify('Match found', matchFoundBody(matchmaking.view.found?.timeoutMs));
    },
  );
}
