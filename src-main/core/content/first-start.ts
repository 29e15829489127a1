// First start: a player with an empty data dir should not have to do anything before the first battle. Once the server
// has listed its playlists, the default one's (the first listed) engines, games and maps are checked and whatever is
// missing is fetched at once, noted `to play <playlist>`; a queue meanwhile joins the same downloads (queue-ready).
import type { ContentNeeds, ContentReadiness, MissingItem } from './content-readiness';

export interface DefaultPlaylist extends ContentNeeds {
  readonly id: string;
  readonly name: string;
}

/** Why a first-start download is fetched, as the downloads slice shows it: `to play Duel`. */
export function firstStartReason(playlist: Pick<DefaultPlaylist, 'name'>): string {
  return `to play ${playlist.name}`;
}

export interface FirstStartFetchOptions {
  readonly readiness: Pick<ContentReadiness, 'ensure'>;
  /** Told when the fetch ends: what was fetched (empty when all was there), or why it failed. */
  readonly onSettled?: (result: { readonly playlist: string; readonly fetched: readonly MissingItem[] } | { readonly playlist: string; readonly error: unknown }) => void;
}

/**
 * Fetches the default playlist's content once: the first call with at least one playlist starts it, later calls do
 * nothing (a reconnect, a refreshed list). Returns the fetch, or null when it was started before or there is no playlist.
 */
export class FirstStartFetch {
  private started = false;

  constructor(private readonly options: FirstStartFetchOptions) {}

  get hasStarted(): boolean {
    return this.started;
  }

  offer(playlists: readonly DefaultPlaylist[]): Promise<readonly MissingItem[]> | null {
    const first = playlists[0];
    if (this.started || first === undefined) return null;
    this.started = true;
    const run = this.options.readiness.ensure(first, firstStartReason(first));
    run.then(
      (fetched) => this.options.onSettled?.({ playlist: first.name, fetched }),
      (error: unknown) => this.options.onSettled?.({ playlist: first.name, error }),
    );
    return run;
  }
}
