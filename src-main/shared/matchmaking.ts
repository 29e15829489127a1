// The one in-queue rule, for the core and the renderer alike: found, readied and lost all still hold a place in the queue.
import type { MatchmakingView } from '../core/lobby/state';

export function isInQueue(state: Pick<MatchmakingView, 'phase'>): boolean {
  return state.phase === 'queued' || state.phase === 'found' || state.phase === 'readied' || state.phase === 'lost';
}
