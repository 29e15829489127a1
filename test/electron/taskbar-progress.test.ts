// The taskbar progress bar from the downloads slice, with `electron` mocked: the fraction of every running download,
// indeterminate while a size is unknown, removed when none runs, set again only when the figure changes.
import { describe, expect, it, vi } from 'vitest';
import type { DownloadItemView, PatchMessage } from '../../src-main/contract';
import { initialSnapshot } from '../../src-main/core/lobby/state';

const electron = vi.hoisted(() => {
  class BrowserWindow {
    calls: unknown[][] = [];
    destroyed = false;
    setProgressBar(...args: unknown[]) {
      this.calls.push(args);
    }
    isDestroyed() {
      return this.destroyed;
    }
  }
  return { BrowserWindow };
});
vi.mock('electron', () => electron);

const { followDownloadProgress } = await import('../../src-main/electron/taskbar-progress');

function item(id: string, over: Partial<DownloadItemView>): DownloadItemView {
  return { id, kind: 'game', name: id, state: 'downloading', bytesDone: 0, bytesTotal: 100, bytesPerSecond: 0, etaSeconds: null, reasons: [], queuedAt: 0, endedAt: null, ...over };
}

function feed() {
  const listeners = new Set<(message: PatchMessage) => void>();
  let seq = 0;
  return {
    onPatch(listener: (message: PatchMessage) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    send(items: DownloadItemView[]) {
      for (const listener of listeners) listener({ seq: ++seq, patch: { slice: 'downloads', value: { items } } });
    },
    reset(items: DownloadItemView[]) {
      const state = { ...initialSnapshot(), downloads: { items }, settings: { serverUrl: null, enginePaths: [], dataDir: null }, servers: { current: 'embedded', profiles: [] }, session: { state: 'signed_out' as const, server: 'embedded' } };
      for (const listener of listeners) listener({ seq: ++seq, patch: { slice: 'reset', value: state } });
    },
  };
}

describe('taskbar progress', () => {
  it('shows the fraction of all running downloads, indeterminate until sizes are known, and nothing once they end', () => {
    const window = new electron.BrowserWindow();
    const patches = feed();
    const stop = followDownloadProgress(patches, () => window);
    patches.send([item('d1', { bytesTotal: null })]);
    patches.send([item('d1', { bytesDone: 25 }), item('d2', { bytesDone: 25 })]);
    patches.send([item('d1', { bytesDone: 25 }), item('d2', { bytesDone: 25 })]);
    patches.send([item('d1', { bytesDone: 100, state: 'verifying' }), item('d2', { bytesDone: 100, state: 'done' })]);
    patches.send([item('d1', { state: 'done', bytesDone: 100 }), item('d2', { state: 'failed' })]);
    patches.reset([item('d3', { bytesDone: 50 })]);
    stop();
    patches.send([]);
    // A verifying item counts as done; a finished one no longer counts.
    expect(window.calls).toEqual([[2, { mode: 'indeterminate' }], [0.25], [1], [-1], [0.5]]);
  });

  it('leaves a closed window alone', () => {
    const window = new electron.BrowserWindow();
    window.destroyed = true;
    const patches = feed();
    followDownloadProgress(patches, () => window);
    patches.send([item('d1', { bytesDone: 10 })]);
    followDownloadProgress(patches, () => null);
    patches.send([item('d1', { bytesDone: 20 })]);
    expect(window.calls).toEqual([]);
  });
});
