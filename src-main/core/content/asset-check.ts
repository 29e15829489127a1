// The answer to the server's content question (`matchmaking/checkAssets`, Tachyon protocol docs): `complete` when every
// engine, game and map named is on disk; otherwise what is missing is fetched through the queue-ready checks (the download
// manager, the `downloads` slice) and the answer is `downloading` while that runs, then `complete`, or `missing` once a
// download failed or when this lobby has no way to fetch a kind at all. A failure is told once: the next question tries again.
import { quoteForMessage } from '../engine';
import type { ContentNeeds, ContentReadiness, MissingItem } from './content-readiness';
import type { DownloadManager } from './downloads';

export type AssetStatus = 'missing' | 'downloading' | 'complete';

export interface AssetAnswer {
  readonly status: AssetStatus;
  /** Why it is missing, in words (`map "X" could not be downloaded: …`). */
  readonly problem?: string;
}

type Fetch = { readonly state: 'running' } | { readonly state: 'failed'; readonly problem: string };

/** Distinct questions remembered at once (the oldest is forgotten first: asking it again just joins its downloads). */
const MAX_TRACKED = 16;

export class AssetCheck {
  private readonly fetches = new Map<string, Fetch>();

  constructor(private readonly readiness: ContentReadiness, private readonly manager: Pick<DownloadManager, 'canFetch'>) {}

  async answer(needs: ContentNeeds, why: string): Promise<AssetAnswer> {
    const key = JSON.stringify([needs.engines, needs.games, needs.maps].map((list) => [...list].sort()));
    const known = this.fetches.get(key);
    if (known?.state === 'running') return { status: 'downloading' };
    if (known?.state === 'failed') {
      this.fetches.delete(key);
      return { status: 'missing', problem: known.problem };
    }
    const missing = await this.readiness.missing(needs);
    if (missing.length === 0) return { status: 'complete' };
    const unfetchable = missing.filter((m) => !this.manager.canFetch(m.kind));
    if (unfetchable.length > 0) return { status: 'missing', problem: `this lobby cannot download ${words(unfetchable)}` };
    this.track(key, { state: 'running' });
    this.readiness.ensure(needs, why).then(
      () => this.fetches.delete(key),
      (error: unknown) => this.track(key, { state: 'failed', problem: error instanceof Error ? error.message : String(error) }),
    );
    return { status: 'downloading' };
  }

  private track(key: string, fetch: Fetch): void {
    this.fetches.delete(key);
    this.fetches.set(key, fetch);
    while (this.fetches.size > MAX_TRACKED) this.fetches.delete(this.fetches.keys().next().value!);
  }
}

function words(items: readonly MissingItem[]): string {
  return items.map((m) => `${m.kind} ${quoteForMessage(m.name)}`).join(', ');
}
