// The taskbar (dock, launcher) shows every running download as one progress bar, from the downloads slice of the patch
// feed: the fraction done, indeterminate while a size is not known yet, nothing when no download runs.
import type { BrowserWindow } from 'electron';
import type { DownloadsView, PatchMessage } from '../contract';
import { overallProgress } from '../shared/download-progress';

type ProgressWindow = Pick<BrowserWindow, 'setProgressBar' | 'isDestroyed'>;

/** Follows the feed and sets the window's progress bar when the figure changes; returns the unsubscribe. */
export function followDownloadProgress(
  feed: { onPatch(listener: (message: PatchMessage) => void): () => void },
  window: () => ProgressWindow | null,
): () => void {
  let shown = -1;
  const show = (view: DownloadsView) => {
    const value = overallProgress(view);
    // A percent is enough for a taskbar: the bar is not set again for every few bytes.
    const rounded = value === 2 || value === -1 ? value : Math.floor(value * 100) / 100;
    if (rounded === shown) return;
    const target = window();
    if (!target || target.isDestroyed()) return;
    shown = rounded;
    if (rounded === 2) target.setProgressBar(2, { mode: 'indeterminate' });
    else target.setProgressBar(rounded);
  };
  return feed.onPatch(({ patch }) => {
    if (patch.slice === 'downloads') show(patch.value);
    else if (patch.slice === 'reset') show(patch.value.downloads);
  });
}
