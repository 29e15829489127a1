// The lobby service the window talks to from its first moment: intents wait while the real one starts, and get why when it could not.
import type { IpcResult, PatchMessage } from '../contract';
import { assertNever } from '../shared/assert-never';
import type { LobbyService } from './lobby-service';

export interface StartingService extends LobbyService {
  /** The real service is up: waiting intents go to it, and so does its patch feed. */
  ready(service: LobbyService): void;
  /** It could not start: every intent answers `reason` (words for the player). */
  failed(reason: string): void;
}

type State = { kind: 'starting' } | { kind: 'ready'; service: LobbyService } | { kind: 'failed'; reason: string } | { kind: 'closed' };

export function createStartingService(): StartingService {
  const listeners = new Set<(message: PatchMessage) => void>();
  let state: State = { kind: 'starting' };
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => (settle = resolve));
  let stopFeed: (() => void) | null = null;

  async function invoke(name: unknown, payload: unknown): Promise<IpcResult<unknown>> {
    if (state.kind === 'starting') await settled;
    switch (state.kind) {
      case 'ready':
        return state.service.invoke(name, payload);
      case 'failed':
        return { ok: false, code: 'not_available', message: state.reason };
      case 'starting':
      case 'closed':
        return { ok: false, code: 'not_available', message: 'The app is shutting down.' };
      default:
        return assertNever(state);
    }
  }

  return {
    invoke,
    onPatch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready(service) {
      if (state.kind !== 'starting') {
        // Closed while starting: the service that arrived late is closed at once.
        void service.close();
        return;
      }
      state = { kind: 'ready', service };
      stopFeed = service.onPatch((message) => {
        for (const listener of listeners) listener(message);
      });
      settle();
    },
    failed(reason) {
      if (state.kind !== 'starting') return;
      state = { kind: 'failed', reason };
      settle();
    },
    async close() {
      const was = state;
      state = { kind: 'closed' };
      settle();
      stopFeed?.();
      listeners.clear();
      if (was.kind === 'ready') await was.service.close();
    },
  };
}
