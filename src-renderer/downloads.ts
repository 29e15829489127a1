// Words for the Downloads, Library and Play views: bytes done of total, network speed, time left, state. Pure, so tested alone.
import type { DownloadItemView, DownloadsView, DownloadState, LibraryKind } from '../src-main/contract';
import { isActive } from '../src-main/shared/download-progress';

/** Bytes in decimal units, as download tools and disks count them. */
export function bytesWords(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** `12.3 MB of 50 MB`, or just what is done while the total is not known. */
export function progressWords(item: DownloadItemView): string {
  return item.bytesTotal === null ? bytesWords(item.bytesDone) : `${bytesWords(item.bytesDone)} of ${bytesWords(item.bytesTotal)}`;
}

/** 0–100, or null while the total is not known. */
export function percentOf(item: DownloadItemView): number | null {
  if (item.state === 'done') return 100;
  if (item.bytesTotal === null || item.bytesTotal <= 0) return null;
  return Math.max(0, Math.min(100, Math.floor((item.bytesDone * 100) / item.bytesTotal)));
}

export function speedWords(item: DownloadItemView): string {
  return item.state === 'downloading' ? `${bytesWords(item.bytesPerSecond)}/s` : '';
}

export function etaWords(item: DownloadItemView): string {
  if (item.state !== 'downloading' || item.etaSeconds === null) return '';
  return secondsLeftWords(item.etaSeconds);
}

function secondsLeftWords(s: number): string {
  if (s < 60) return `${s} s left`;
  if (s < 3600) return `${Math.ceil(s / 60)} min left`;
  return `${Math.floor(s / 3600)} h ${Math.ceil((s % 3600) / 60)} min left`;
}

export const DOWNLOAD_STATE_WORDS: Readonly<Record<DownloadState, string>> = {
  queued: 'waiting', downloading: 'downloading', verifying: 'checking', done: 'done', failed: 'failed', cancelled: 'cancelled',
};

export const DOWNLOAD_STATE_TONES: Readonly<Record<DownloadState, string>> = {
  queued: 'idle', downloading: 'busy', verifying: 'busy', done: 'ok', failed: 'bad', cancelled: 'idle',
};

export const KIND_WORDS: Readonly<Record<LibraryKind, string>> = { engine: 'Engine', game: 'Game', map: 'Map' };

export { isActive };

/**
 * One line for the Play view while queue-ready downloads run: what, how far, and why (`Downloading map "X" for
 * playlist Duel: 12 MB of 50 MB, 3 MB/s, 15 s left`); null when nothing runs for a playlist or the battle.
 */
export function queueReadyLine(view: DownloadsView): string | null {
  const active = view.items.filter((i) => isActive(i) && i.reasons.some((r) => r.startsWith('for playlist') || r === 'for the battle'));
  if (active.length === 0) return null;
  const done = active.reduce((s, i) => s + i.bytesDone, 0);
  const totals = active.map((i) => i.bytesTotal);
  const total = totals.every((t): t is number => t !== null) ? totals.reduce((s, t) => s + t, 0) : null;
  const speed = active.reduce((s, i) => s + i.bytesPerSecond, 0);
  const first = active[0]!;
  const what = active.length === 1 ? `${first.kind} ${JSON.stringify(first.name)}` : `${active.length} items`;
  const why = first.reasons.at(-1) ?? '';
  const amount = total === null ? bytesWords(done) : `${bytesWords(done)} of ${bytesWords(total)}`;
  return `Downloading ${what} ${why}: ${amount}${speed > 0 ? `, ${bytesWords(speed)}/s` : ''}`;
}

/** The downloads slice's reason for a first-start fetch (core/content's `firstStartReason`): `to play Duel`. */
const FIRST_START = /^to play (.+)$/;

/**
 * One line for the Play view while the first start fetches the default playlist's content, before the player asked for
 * anything: `Getting Beyond All Reason test-1 and 2 more items to play Duel: 12 MB of 60 MB, 3.0 MB/s, 20 s left`
 * (the game named first). Null when nothing runs for that reason, or when a queue already waits for the same items
 * (then `queueReadyLine` says it).
 */
export function firstStartLine(view: DownloadsView): string | null {
  const active = view.items.filter((i) => isActive(i) && i.reasons.some((r) => FIRST_START.test(r)) && !i.reasons.some((r) => r.startsWith('for playlist') || r === 'for the battle'));
  if (active.length === 0) return null;
  const queue = FIRST_START.exec(active[0]!.reasons.find((r) => FIRST_START.test(r))!)![1]!;
  const lead = active.find((i) => i.kind === 'game') ?? active[0]!;
  const what = active.length === 1 ? lead.name : `${lead.name} and ${active.length - 1} more ${active.length === 2 ? 'item' : 'items'}`;
  const done = active.reduce((s, i) => s + i.bytesDone, 0);
  const totals = active.map((i) => i.bytesTotal);
  const total = totals.every((t): t is number => t !== null) ? totals.reduce((s, t) => s + t, 0) : null;
  const speed = active.reduce((s, i) => s + (i.state === 'downloading' ? i.bytesPerSecond : 0), 0);
  const etas = active.flatMap((i) => (i.state === 'downloading' && i.etaSeconds !== null ? [i.etaSeconds] : []));
  const parts = [total === null ? bytesWords(done) : `${bytesWords(done)} of ${bytesWords(total)}`];
  if (speed > 0) parts.push(`${bytesWords(speed)}/s`);
  if (etas.length > 0) parts.push(secondsLeftWords(Math.max(...etas)));
  return `Getting ${what} to play ${queue}: ${parts.join(', ')}`;
}
