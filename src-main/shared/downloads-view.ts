// Downloads and installed content as the lobby state holds them (plain readonly JSON): core/content's download manager
// and content library fill them, every copy of the state shows them. Types only.

export type DownloadKind = 'game' | 'map' | 'engine';
export type DownloadState = 'queued' | 'downloading' | 'verifying' | 'done' | 'failed' | 'cancelled';

export interface DownloadItemView {
  /** The manager's own id (`d1`, `d2`, …): what cancel and retry name. */
  readonly id: string;
  readonly kind: DownloadKind;
  /** What is fetched: a rapid tag or game name, a map's or an engine's name. */
  readonly name: string;
  readonly state: DownloadState;
  /** Content bytes verified so far, of `bytesTotal` (null until the size is known). */
  readonly bytesDone: number;
  readonly bytesTotal: number | null;
  /** Bytes a second received from the network (what the connection does, not the disk), over the last few seconds. */
  readonly bytesPerSecond: number;
  /** Seconds left at the recent rate; null when not known. */
  readonly etaSeconds: number | null;
  /** Why it failed, in words for the player. */
  readonly error?: string;
  /** Why it is fetched (`for playlist Duel`, `for the battle`), newest last. */
  readonly reasons: readonly string[];
  readonly queuedAt: number;
  readonly endedAt: number | null;
}

export interface DownloadsView {
  /** Active items first in the order asked, then finished ones, newest first; bounded. */
  readonly items: readonly DownloadItemView[];
}

export type LibraryKind = DownloadKind;

export interface LibraryEntryView {
  /** A strict id the core made (`game:3`, …): what `deleteContent` names, never a path. */
  readonly id: string;
  readonly kind: LibraryKind;
  readonly name: string;
  /** Bytes on disk (a rapid game: its package index and the pool files no other installed package shares). */
  readonly bytes: number;
  /** Where it came from, in words (`rapid package`, `.sd7 archive`, `engine folder`). */
  readonly format: string;
  /** False for content the lobby did not install (the system engine, a shared folder): it cannot be deleted here. */
  readonly deletable: boolean;
}

export interface LibraryView {
  readonly entries: readonly LibraryEntryView[];
  readonly scanning: boolean;
}
