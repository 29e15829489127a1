// The content check before pairing (Tachyon protocol docs, matchmaking `checkAssets`): the server asks each joining player's
// lobby whether it has the engine, game and maps a queue names. When a player queues, the server asks every player joining
// (them and their free party members) and waits for the first answers: `missing`, a refusal or no answer fails the queue
// with `party_missing_asset`, as the protocol docs say. Beyond those docs, a `downloading` answer does not fail it: that
// player is queued but kept out of pairing and asked again every `recheckMs` until `complete`, and leaves matchmaking
// when the answer turns to `missing`, no answer comes, or the download takes longer than `downloadLimitMs`.
// A lobby that answers `command_unimplemented` predates the check and is taken as having everything (it checks before it queues).
import type { ClientSession } from './session';
import { playlistVersion, type PlaylistConfig } from './match';

export interface AssetCheckOptions {
  /** How long a lobby has to answer one `matchmaking/checkAssets` (default 10 s, under the 15 s a request waits). */
  readonly answerTimeoutMs?: number;
  /** How often a player whose content is downloading is asked again (default 2 s). */
  readonly recheckMs?: number;
  /** How long a player may stay in the queue downloading before they leave it (default 5 minutes). */
  readonly downloadLimitMs?: number;
}

/** What one ask came to: the lobby's `assetStatus`, or no usable answer (`no_answer`: none in time; `refused`: a failure). */
export type AssetAnswer = 'complete' | 'downloading' | 'missing' | 'no_answer' | 'refused';

/** Asks one session about one playlist's content; never rejects. */
export async function askForAssets(session: ClientSession, playlist: PlaylistConfig, timeoutMs: number): Promise<AssetAnswer> {
  const data = { queueId: playlist.id, version: playlistVersion(playlist), engines: [playlist.engine], game: playlist.game, maps: [playlist.map] };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<AssetAnswer>((resolve) => {
    timer = setTimeout(() => resolve('no_answer'), timeoutMs);
  });
  const answer = session.endpoint.request('matchmaking/checkAssets', data).then(
    (response): AssetAnswer => {
      if (response.status === 'success') return response.data.assetStatus;
      return response.reason === 'command_unimplemented' ? 'complete' : 'refused';
    },
    (): AssetAnswer => 'no_answer',
  );
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why a player did not get into (or left) a queue, in words for the players: the queue refusal's or the cancellation's `details`. */
export function assetProblemText(name: string, playlist: PlaylistConfig, answer: Exclude<AssetAnswer, 'complete' | 'downloading'> | 'too_slow'): string {
  switch (answer) {
    case 'missing': return `${name} does not have everything ${playlist.name} needs, and it cannot be downloaded.`;
    case 'no_answer': return `${name}'s lobby did not say whether it has what ${playlist.name} needs.`;
    case 'refused': return `${name}'s lobby could not check whether it has what ${playlist.name} needs.`;
    case 'too_slow': return `${name} was still downloading what ${playlist.name} needs after the time allowed.`;
    default: return assertNeverAnswer(answer);
  }
}

function assertNeverAnswer(value: never): never {
  throw new Error(`unexpected asset answer ${String(value)}`);
}

export interface JoiningPlayer {
  readonly userId: string;
  readonly session: ClientSession;
}

/** The first answers of everyone joining: a refusal in words, or the playlists each player is still downloading. */
async function checkJoining(
  joining: readonly JoiningPlayer[],
  playlists: readonly PlaylistConfig[],
  timeoutMs: number,
  nameOf: (userId: string) => string,
): Promise<{ refusal: string } | { downloading: Map<string, string[]> }> {
  const answers = await Promise.all(joining.map((player) => Promise.all(playlists.map((p) => askForAssets(player.session, p, timeoutMs)))));
  const downloading = new Map<string, string[]>();
  for (const [i, player] of joining.entries()) {
    for (const [k, answer] of answers[i]!.entries()) {
      const playlist = playlists[k]!;
      if (answer === 'complete') continue;
      if (answer === 'downloading') downloading.set(player.userId, [...(downloading.get(player.userId) ?? []), playlist.id]);
      else return { refusal: assetProblemText(nameOf(player.userId), playlist, answer) };
    }
  }
  return { downloading };
}

interface Hold {
  readonly playlistIds: Set<string>;
  readonly since: number;
  timer: NodeJS.Timeout | null;
}

export interface AssetGateOptions extends AssetCheckOptions {
  /** The session to ask: the one that queued. */
  readonly sessionOf: (userId: string) => ClientSession | undefined;
  readonly playlist: (id: string) => PlaylistConfig | undefined;
  readonly nameOf: (userId: string) => string;
  /** A held player has everything now: pairing may look again. */
  readonly onComplete: (userId: string) => void;
  /** A held player cannot get the content: they leave matchmaking, told `text`. */
  readonly onFailed: (userId: string, text: string) => void;
}

export type CheckOutcome =
  | { readonly refusal: string }
  | { readonly downloading: ReadonlyMap<string, readonly string[]>; readonly cancelled: ReadonlySet<string> };

/**
 * Players whose queue waits for their first answers (`checking`: counted as queued, so a second queue is `already_queued`),
 * and queued players kept out of pairing for some playlists while their lobby downloads what those need (`holds`).
 */
export class AssetGate {
  private readonly holds = new Map<string, Hold>();
  private readonly checking = new Set<string>();
  private readonly cancelledWhileChecking = new Set<string>();

  constructor(private readonly options: AssetGateOptions) {}

  private get answerTimeoutMs(): number {
    return this.options.answerTimeoutMs ?? 10_000;
  }

  isChecking(userId: string): boolean {
    return this.checking.has(userId);
  }

  /** A player cancelled: if their queue is still being checked, it is not queued after all. */
  cancelled(userId: string): void {
    if (this.checking.has(userId)) this.cancelledWhileChecking.add(userId);
  }

  /** Asks everyone joining about every playlist; `cancelled` names those who cancelled while it ran. */
  async check(joining: readonly JoiningPlayer[], playlists: readonly PlaylistConfig[]): Promise<CheckOutcome> {
    const ids = joining.map((p) => p.userId);
    for (const id of ids) this.checking.add(id);
    try {
      const outcome = await checkJoining(joining, playlists, this.answerTimeoutMs, this.options.nameOf);
      const cancelled = new Set(ids.filter((id) => this.cancelledWhileChecking.has(id)));
      return 'refusal' in outcome ? outcome : { downloading: outcome.downloading, cancelled };
    } finally {
      for (const id of ids) {
        this.checking.delete(id);
        this.cancelledWhileChecking.delete(id);
      }
    }
  }

  hold(userId: string, playlistIds: readonly string[]): void {
    if (playlistIds.length === 0) return;
    this.release(userId);
    const hold: Hold = { playlistIds: new Set(playlistIds), since: Date.now(), timer: null };
    this.holds.set(userId, hold);
    this.schedule(userId, hold);
  }

  isHeld(userId: string, playlistId: string): boolean {
    return this.holds.get(userId)?.playlistIds.has(playlistId) ?? false;
  }

  release(userId: string): void {
    const hold = this.holds.get(userId);
    if (hold?.timer) clearTimeout(hold.timer);
    this.holds.delete(userId);
  }

  stop(): void {
    for (const userId of [...this.holds.keys()]) this.release(userId);
  }

  private schedule(userId: string, hold: Hold): void {
    hold.timer = setTimeout(() => void this.askAgain(userId, hold), this.options.recheckMs ?? 2_000);
  }

  private async askAgain(userId: string, hold: Hold): Promise<void> {
    hold.timer = null;
    const session = this.options.sessionOf(userId);
    // Away for a moment (a dropped socket within the grace): asked again when the next round comes.
    if (session) {
      for (const id of [...hold.playlistIds]) {
        const playlist = this.options.playlist(id);
        const answer = playlist ? await askForAssets(session, playlist, this.answerTimeoutMs) : 'complete';
        if (this.holds.get(userId) !== hold) return; // left the queue meanwhile
        if (answer === 'complete') hold.playlistIds.delete(id);
        else if (answer !== 'downloading') return this.fail(userId, assetProblemText(this.options.nameOf(userId), playlist!, answer));
      }
      if (hold.playlistIds.size === 0) {
        this.holds.delete(userId);
        this.options.onComplete(userId);
        return;
      }
    }
    if (Date.now() - hold.since > (this.options.downloadLimitMs ?? 300_000)) {
      const playlist = this.options.playlist([...hold.playlistIds][0]!);
      const text = playlist ? assetProblemText(this.options.nameOf(userId), playlist, 'too_slow') : 'The queue\'s content took too long to download.';
      return this.fail(userId, text);
    }
    this.schedule(userId, hold);
  }

  private fail(userId: string, text: string): void {
    this.release(userId);
    this.options.onFailed(userId, text);
  }
}
