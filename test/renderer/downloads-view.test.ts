// @vitest-environment happy-dom
// The Downloads view (name, bytes of total, network speed, time left, why, cancel and retry by id), the Library view
// (sizes, delete after a confirm, by id), the Play view's queue-ready and first-start lines; and the words they use.
import { mount, flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { Component } from 'vue';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DownloadItemView, LibraryEntryView } from '../../src-main/contract';
import type * as StoresModule from '../../src-renderer/stores';
import { bytesWords, etaWords, firstStartLine, progressWords, queueReadyLine } from '../../src-renderer/downloads';
import { buildRendererModules, installRecordingBridge, type BuiltModules } from './support/components';

type Stores = typeof StoresModule;
let built: BuiltModules;
let views: Record<'DownloadsView' | 'LibraryView' | 'PlayView', Component>;
let stores: Stores;
let pinia: Pinia;
let calls: string[];

beforeAll(async () => {
  built = await buildRendererModules({ DownloadsView: 'views/DownloadsView.vue', LibraryView: 'views/LibraryView.vue', PlayView: 'views/PlayView.vue', stores: 'stores/index.ts' });
  stores = await built.load<Stores>('stores');
  views = {
    DownloadsView: (await built.load<{ default: Component }>('DownloadsView')).default,
    LibraryView: (await built.load<{ default: Component }>('LibraryView')).default,
    PlayView: (await built.load<{ default: Component }>('PlayView')).default,
  };
}, 30_000);
afterAll(() => built?.dispose());

const wrappers: { unmount(): void }[] = [];
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  calls = [];
  installRecordingBridge(calls, () => ({ ok: true, value: null }));
});
afterEach(() => {
  for (const wrapper of wrappers.splice(0)) wrapper.unmount();
});

function item(id: string, over: Partial<DownloadItemView> = {}): DownloadItemView {
  return {
    id, kind: 'game', name: 'Beyond All Reason test-1', state: 'downloading', bytesDone: 12_300_000, bytesTotal: 50_000_000, bytesPerSecond: 3_000_000,
    etaSeconds: 15, reasons: ['for playlist Duel'], queuedAt: 0, endedAt: null, ...over,
  };
}

async function mounted(name: keyof typeof views) {
  const wrapper = mount(views[name], { global: { plugins: [pinia] } });
  wrappers.push(wrapper);
  await flushPromises();
  return wrapper;
}

describe('the words', () => {
  it('counts bytes in decimal units and says the time left', () => {
    expect([0, 999, 1000, 12_300_000, 1_500_000_000].map(bytesWords)).toEqual(['0 B', '999 B', '1.0 kB', '12 MB', '1.5 GB']);
    expect(progressWords(item('d1'))).toBe('12 MB of 50 MB');
    expect(progressWords(item('d1', { bytesTotal: null }))).toBe('12 MB');
    expect([15, 90, 4000].map((s) => etaWords(item('d1', { etaSeconds: s })))).toEqual(['15 s left', '2 min left', '1 h 7 min left']);
    expect(etaWords(item('d1', { state: 'verifying' }))).toBe('');
    expect(queueReadyLine({ items: [item('d1')] })).toBe('Downloading game "Beyond All Reason test-1" for playlist Duel: 12 MB of 50 MB, 3.0 MB/s');
    expect(queueReadyLine({ items: [item('d1', { reasons: ['for the battle'], bytesTotal: null }), item('d2', { kind: 'map', reasons: ['for the battle'] })] }))
      .toBe('Downloading 2 items for the battle: 25 MB, 6.0 MB/s');
    expect(queueReadyLine({ items: [item('d1', { state: 'done' })] })).toBeNull();
  });

  it('says what a first start is getting and for which playlist, the game named first', () => {
    const firstStart = { reasons: ['to play Duel'] };
    expect(firstStartLine({ items: [item('d1', firstStart)] })).toBe('Getting Beyond All Reason test-1 to play Duel: 12 MB of 50 MB, 3.0 MB/s, 15 s left');
    const three = [
      item('d3', { ...firstStart, kind: 'engine', name: '2025.01.6', bytesDone: 0, bytesTotal: null, state: 'queued', bytesPerSecond: 0, etaSeconds: null }),
      item('d1', { ...firstStart, etaSeconds: 90 }),
      item('d2', { ...firstStart, kind: 'map', name: 'Red Comet', bytesDone: 1_000_000, bytesTotal: 10_000_000, bytesPerSecond: 1_000_000, etaSeconds: 9 }),
    ];
    expect(firstStartLine({ items: three })).toBe('Getting Beyond All Reason test-1 and 2 more items to play Duel: 13 MB, 4.0 MB/s, 2 min left');
    // Once the player queued for them the queue-ready line says it; done, or fetched for another reason: nothing.
    expect(firstStartLine({ items: [item('d1', { reasons: ['to play Duel', 'for playlist Duel'] })] })).toBeNull();
    expect(firstStartLine({ items: [item('d1', { ...firstStart, state: 'done' })] })).toBeNull();
    expect(firstStartLine({ items: [item('d1')] })).toBeNull();
  });
});

describe('DownloadsView', () => {
  it('lists each item with its bytes, speed, time left and why; cancels a running one and retries a failed one by id', async () => {
    stores.useDownloadsStore().apply({
      slice: 'downloads',
      value: { items: [item('d2'), item('d1', { kind: 'map', name: 'Red Comet', state: 'failed', error: 'pool file x does not match its MD5', reasons: ['for the battle'], bytesPerSecond: 0 })] },
    });
    const wrapper = await mounted('DownloadsView');
    const running = wrapper.get('[data-test="download-d2"]');
    expect(running.get('[data-test="download-name"]').text()).toBe('Beyond All Reason test-1');
    expect(running.get('[data-test="download-bytes"]').text()).toBe('12 MB of 50 MB');
    expect(running.get('[data-test="download-speed"]').text()).toBe('3.0 MB/s');
    expect(running.get('[data-test="download-eta"]').text()).toBe('15 s left');
    expect(running.get('[data-test="download-why"]').text()).toBe('for playlist Duel');
    const failed = wrapper.get('[data-test="download-d1"]');
    expect(failed.get('[data-test="download-state"]').text()).toBe('failed');
    expect(failed.get('[data-test="download-failure"]').text()).toBe('pool file x does not match its MD5');
    await running.get('[data-test="download-cancel"]').trigger('click');
    await failed.get('[data-test="download-retry"]').trigger('click');
    await flushPromises();
    expect(calls).toEqual(['cancelDownload {"id":"d2"}', 'retryDownload {"id":"d1"}']);
    expect(wrapper.get('[data-test="downloads-count"]').text()).toBe('1 running');
  });

  it('says what it is for when empty', async () => {
    const wrapper = await mounted('DownloadsView');
    expect(wrapper.get('[data-test="downloads-empty"]').text()).toMatch(/a playlist or a battle needs/);
  });
});

describe('LibraryView', () => {
  const entries: LibraryEntryView[] = [
    { id: 'engine:1', kind: 'engine', name: '106.0', bytes: 0, format: 'engine folder', deletable: false },
    { id: 'game:1', kind: 'game', name: 'Beyond All Reason test-1', bytes: 1_200_000_000, format: 'rapid package', deletable: true },
    { id: 'map:1', kind: 'map', name: 'Red Comet', bytes: 30_000_000, format: '.sd7 archive', deletable: true },
  ];

  it('asks for the list when opened, shows sizes, and deletes one by its id after a confirm', async () => {
    stores.useLibraryStore().apply({ slice: 'library', value: { entries, scanning: false } });
    const wrapper = await mounted('LibraryView');
    expect(calls).toEqual(['refreshLibrary']);
    expect(wrapper.get('[data-test="library-total"]').text()).toBe('3 installed, 1.2 GB');
    expect(wrapper.get('[data-test="library-game:1"] [data-test="library-bytes"]').text()).toBe('1.2 GB');
    expect(wrapper.find('[data-test="library-engine:1"] [data-test="library-delete"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="library-engine:1"] [data-test="library-kept"]').text()).toBe('not installed by the lobby');
    await wrapper.get('[data-test="library-map:1"] [data-test="library-delete"]').trigger('click');
    await wrapper.get('[data-test="library-map:1"] [data-test="library-delete-confirm"]').trigger('click');
    await flushPromises();
    expect(calls).toEqual(['refreshLibrary', 'deleteContent {"id":"map:1"}']);
  });
});

describe('PlayView', () => {
  it('shows the queue-ready line while a playlist\'s content downloads', async () => {
    const wrapper = await mounted('PlayView');
    expect(wrapper.find('[data-test="queue-ready"]').exists()).toBe(false);
    stores.useDownloadsStore().apply({ slice: 'downloads', value: { items: [item('d1')] } });
    await flushPromises();
    expect(wrapper.get('[data-test="queue-ready"]').text()).toBe('Downloading game "Beyond All Reason test-1" for playlist Duel: 12 MB of 50 MB, 3.0 MB/s. You are queued once it is here.');
    expect(wrapper.find('[data-test="first-start"]').exists()).toBe(false);
  });

  it('shows what a first start is getting, and that the player may queue meanwhile', async () => {
    const wrapper = await mounted('PlayView');
    stores.useDownloadsStore().apply({ slice: 'downloads', value: { items: [item('d1', { reasons: ['to play Duel'] })] } });
    await flushPromises();
    expect(wrapper.get('[data-test="first-start"]').text())
      .toBe('Getting Beyond All Reason test-1 to play Duel: 12 MB of 50 MB, 3.0 MB/s, 15 s left. You can queue now: the queue goes out once it is here.');
    expect(wrapper.find('[data-test="queue-ready"]').exists()).toBe(false);
  });
});
