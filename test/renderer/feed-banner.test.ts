// @vitest-environment happy-dom
// The first snapshot in the page: "starting" while main starts the lobby; a failed load says why and is tried again from its button.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import type { Component } from 'vue';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppSnapshot, IpcResult, LobbyBridge } from '../../src-main/contract';
import { initialSnapshot } from '../../src-main/core/lobby/state';
import type * as ClientModule from '../../src-renderer/client';
import type * as FeedStatusModule from '../../src-renderer/composables/feed-status';
import type * as StoresModule from '../../src-renderer/stores';
import type * as StoresFeedModule from '../../src-renderer/stores/feed';
import { buildRendererModules, type BuiltModules } from './support/components';

let built: BuiltModules;
let FeedBanner: Component;
let client: typeof ClientModule;
let feedStatus: typeof FeedStatusModule;
let stores: typeof StoresModule;
let storesFeed: typeof StoresFeedModule;

beforeAll(async () => {
  built = await buildRendererModules({
    FeedBanner: 'components/FeedBanner.vue',
    client: 'client.ts',
    feedStatus: 'composables/feed-status.ts',
    stores: 'stores/index.ts',
    storesFeed: 'stores/feed.ts',
  });
  FeedBanner = (await built.load<{ default: Component }>('FeedBanner')).default;
  client = await built.load('client');
  feedStatus = await built.load('feedStatus');
  stores = await built.load('stores');
  storesFeed = await built.load('storesFeed');
}, 30_000);
afterAll(() => built?.dispose());

const snapshot: AppSnapshot = {
  ...initialSnapshot('http://127.0.0.1:1'),
  stats: { userCount: 5, history: [] },
  settings: { serverUrl: null, enginePaths: [], dataDir: null },
  servers: { current: 'embedded', profiles: [{ id: 'embedded', kind: 'embedded', url: null, label: 'This computer', signedIn: false }] },
  session: { state: 'signed_in', server: 'embedded' },
};

describe('first snapshot', () => {
  it('shows starting, then why loading failed, and loads on "Try again"', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const pinia = createPinia();
    setActivePinia(pinia);
    let release: (answer: IpcResult<unknown>) => void = () => {};
    let subscribed = 0;
    const bridge: LobbyBridge = {
      invoke: (() => new Promise<IpcResult<unknown>>((resolve) => (release = resolve))) as LobbyBridge['invoke'],
      onPatch: () => {
        subscribed += 1;
        return () => (subscribed -= 1);
      },
    };
    (globalThis as unknown as { lobby: LobbyBridge }).lobby = bridge;
    const wrapper = mount(FeedBanner, { global: { plugins: [pinia] } });
    const running = feedStatus.runFeed(() => client.startFeed({ snapshot: storesFeed.loadSnapshot, patch: storesFeed.routePatch }));
    await flushPromises();
    expect(wrapper.get('[data-test="feed-starting"]').text()).toMatch(/Starting the lobby/);

    release({ ok: false, code: 'not_available', message: 'The lobby could not start: the local autohost did not connect.' });
    await running;
    await flushPromises();
    expect(wrapper.get('[data-test="feed-error"]').text()).toBe('The lobby could not start: the local autohost did not connect.');
    // The failed attempt left no listener behind.
    expect(subscribed).toBe(0);

    await wrapper.get('[data-test="feed-retry"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[data-test="feed-starting"]').exists()).toBe(true);
    release({ ok: true, value: { seq: 0, state: snapshot } });
    await flushPromises();
    expect(wrapper.find('[data-test="feed-failed"]').exists()).toBe(false);
    expect(wrapper.find('[data-test="feed-starting"]').exists()).toBe(false);
    expect(stores.useStatsStore().view.userCount).toBe(5);
    expect(subscribed).toBe(1);
    wrapper.unmount();
  });

  it('shows a bridge that throws as a failed load too', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const pinia = createPinia();
    setActivePinia(pinia);
    (globalThis as unknown as { lobby: LobbyBridge }).lobby = {
      invoke: (() => Promise.reject(new Error('ipc down'))) as LobbyBridge['invoke'],
      onPatch: () => () => {},
    };
    const wrapper = mount(FeedBanner, { global: { plugins: [pinia] } });
    await feedStatus.runFeed(() => client.startFeed({ snapshot: storesFeed.loadSnapshot, patch: storesFeed.routePatch }));
    await flushPromises();
    expect(wrapper.get('[data-test="feed-error"]').text()).toBe('The app did not answer while loading the lobby.');
    wrapper.unmount();
  });
});
