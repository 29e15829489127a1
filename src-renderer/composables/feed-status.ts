// Whether the page has its first snapshot yet: starting, loaded, or failed with why; a failed start can be tried again.
import { readonly, ref } from 'vue';

export type FeedStatus = { readonly state: 'starting' } | { readonly state: 'ready' } | { readonly state: 'failed'; readonly message: string };

const status = ref<FeedStatus>({ state: 'starting' });
let start: (() => Promise<unknown>) | null = null;
let running: Promise<void> | null = null;

/** Runs `begin` (the feed's start) now and again on every `retry()`, keeping the status the page shows. */
export function runFeed(begin: () => Promise<unknown>): Promise<void> {
  start = begin;
  return attempt();
}

function attempt(): Promise<void> {
  const begin = start;
  if (!begin || running) return running ?? Promise.resolve();
  status.value = { state: 'starting' };
  running = begin()
    .then(
      () => void (status.value = { state: 'ready' }),
      (error: unknown) => {
        console.error(error);
        status.value = { state: 'failed', message: error instanceof Error ? error.message : String(error) };
      },
    )
    .finally(() => (running = null));
  return running;
}

export function useFeedStatus() {
  return { status: readonly(status), retry: attempt };
}
