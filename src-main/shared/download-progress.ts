// The downloads slice summed up, for the Electron taskbar and the page alike. Runtime-neutral.
import type { DownloadItemView, DownloadsView } from './downloads-view';

export function isActive(item: DownloadItemView): boolean {
  return item.state === 'queued' || item.state === 'downloading' || item.state === 'verifying';
}

/**
 * Every active item's progress as one figure in Electron's `setProgressBar` terms: 0–1 done, -1 when nothing runs, 2
 * (indeterminate) while any total is not known yet.
 */
export function overallProgress(view: DownloadsView): number {
  const active = view.items.filter(isActive);
  if (active.length === 0) return -1;
  if (active.some((i) => i.bytesTotal === null || i.bytesTotal <= 0)) return 2;
  const total = active.reduce((s, i) => s + (i.bytesTotal ?? 0), 0);
  return Math.max(0, Math.min(1, active.reduce((s, i) => s + i.bytesDone, 0) / total));
}
