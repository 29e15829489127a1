// @vitest-environment happy-dom
// The Replays view: the list (date, map, game, engine, duration, teams, winner, the player's result), search, sort, the
// detail pane, damaged rows with their error, the recording row, watch and delete with a confirm; and the list's plain functions.
import { mount, flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { Component } from 'vue';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IpcResult, ReplayDamagedView, ReplayEntryView, ReplayGoodView } from '../../src-main/contract';
import type * as StoresModule from '../../src-renderer/stores';
import { replayResult, searchReplays, sortReplays } from '../../src-renderer/replay-list';
import { buildRendererModules, installRecordingBridge, type BuiltModules } from './support/components';

type Stores = typeof StoresModule;
let built: BuiltModules;
let ReplaysView: Component;
let stores: Stores;
let pinia: Pinia;
let calls: string[];
let answer: (name: string) => IpcResult<unknown>;

beforeAll(async () => {
  built = await buildRendererModules({ ReplaysView: 'views/ReplaysView.vue', stores: 'stores/index.ts' });
  stores = await built.load<Stores>('stores');
  ReplaysView = (await built.load<{ default: Component }>('ReplaysView')).default;
}, 30_000);
afterAll(() => built?.dispose());

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  calls = [];
  answer = () => ({ ok: true, value: null });
  installRecordingBridge(calls, (name) => answer(name));
  stores.useSelfStore().apply({ slice: 'self', value: { userId: 'u1', username: 'Alice', displayName: 'Alice', status: 'menu' } });
});

function good(file: string, over: Partial<ReplayGoodView> = {}): ReplayGoodView {
  return {
    file, size: 2048, mtimeMs: 1, status: 'ok', startedAt: '2026-12-01T12:06:34.000Z', map: 'Tiny Flat', game: 'Test Game 1.0', engine: '106.0',
    durationS: 754, teams: [{ allyTeam: 0, players: ['Alice'], bots: [] }, { allyTeam: 1, players: ['Bob'], bots: ['Bot1'] }],
    spectators: ['Watcher'], winners: [0], winnersMissing: false, ...over,
  };
}
const damaged = (file: string): ReplayDamagedView => ({ file, size: 10, mtimeMs: 1, status: 'damaged', code: 'truncated', message: 'the demo is still being written or truncated' });

const ENTRIES: ReplayEntryView[] = [
  good('20261203_100000_Zeta_106.0.sdfz', { map: 'Zeta Ridge', startedAt: '2026-12-03T10:00:00.000Z', durationS: 60, winners: [1] }),
  damaged('20261202_100000_Broken_106.0.sdfz'),
  good('20261201_100000_Tiny_106.0.sdfz', { game: 'Another Game 2.0', durationS: 900 }),
];

async function mounted(entries: readonly ReplayEntryView[] = ENTRIES) {
  stores.useReplaysStore().apply({ slice: 'replays', value: { entries, scanning: false } });
  const wrapper = mount(ReplaysView, { global: { plugins: [pinia] } });
  wrappers.push(wrapper);
  await flushPromises();
  return wrapper;
}

// Unmounted after each test: the engine panel's clock ticks until its component goes.
const wrappers: { unmount(): void }[] = [];
afterEach(() => {
  for (const wrapper of wrappers.splice(0)) wrapper.unmount();
});

const rowFiles = (wrapper: Awaited<ReturnType<typeof mounted>>) => wrapper.findAll('[data-file]').map((row) => row.attributes('data-file'));

describe('ReplaysView', () => {
  it('lists every replay, newest first, with its fields, the winner and the player\'s result', async () => {
    const wrapper = await mounted();
    expect(rowFiles(wrapper)).toEqual(ENTRIES.map((e) => e.file));
    const [zeta, , tiny] = wrapper.findAll('[data-file]');
    expect(zeta!.get('[data-test="replay-date"]').text()).toBe('2026-12-03 10:00');
    expect(zeta!.get('[data-test="replay-map"]').text()).toBe('Zeta Ridge');
    expect(zeta!.get('[data-test="replay-engine"]').text()).toBe('106.0');
    expect(zeta!.get('[data-test="replay-duration"]').text()).toBe('1:00');
    expect(zeta!.get('[data-test="replay-teams"]').text()).toBe('Alice vs Bob, Bot1');
    expect(zeta!.get('[data-test="replay-winner"]').text()).toBe('Bob, Bot1');
    expect(zeta!.get('[data-test="replay-result"]').text()).toBe('lost');
    expect(tiny!.get('[data-test="replay-result"]').text()).toBe('won');
    expect(tiny!.get('[data-test="replay-duration"]').text()).toBe('15:00');
    expect(wrapper.get('[data-test="replays-count"]').text()).toBe('3 demos');
  });

  it('shows a damaged file as damaged, with its error in words, in the list and the detail (no Watch)', async () => {
    const wrapper = await mounted();
    const row = wrapper.get('[data-test="replay-damaged"]');
    expect(row.text()).toContain('damaged');
    expect(row.get('[data-test="replay-error"]').text()).toBe('the demo is still being written or truncated');
    await row.trigger('click');
    expect(wrapper.get('[data-test="detail-error"]').text()).toBe('the demo is still being written or truncated');
    expect(wrapper.find('[data-test="replay-watch"]').exists()).toBe(false);
  });

  it('searches map, game and names, every word', async () => {
    const wrapper = await mounted();
    await wrapper.get('[data-test="replays-search"]').setValue('zeta');
    expect(rowFiles(wrapper)).toEqual([ENTRIES[0]!.file]);
    await wrapper.get('[data-test="replays-search"]').setValue('another bob');
    expect(rowFiles(wrapper)).toEqual([ENTRIES[2]!.file]);
    await wrapper.get('[data-test="replays-search"]').setValue('nobody');
    expect(wrapper.get('[data-test="replays-empty"]').text()).toMatch(/No replay matches/);
  });

  it('sorts by map, by duration, and reverses on a second click', async () => {
    const wrapper = await mounted();
    await wrapper.get('[data-test="replays-sort-map"]').trigger('click');
    // A damaged file has no map: it sorts first from A.
    expect(rowFiles(wrapper)).toEqual([ENTRIES[1]!.file, ENTRIES[2]!.file, ENTRIES[0]!.file]);
    await wrapper.get('[data-test="replays-sort-map"]').trigger('click');
    expect(rowFiles(wrapper)).toEqual([ENTRIES[0]!.file, ENTRIES[2]!.file, ENTRIES[1]!.file]);
    await wrapper.get('[data-test="replays-sort-duration"]').trigger('click');
    expect(rowFiles(wrapper)).toEqual([ENTRIES[2]!.file, ENTRIES[0]!.file, ENTRIES[1]!.file]);
  });

  it('opens the detail pane with the teams, and watches the replay through the engine panel', async () => {
    const wrapper = await mounted();
    expect(wrapper.find('[data-test="replay-detail"]').exists()).toBe(false);
    await wrapper.get(`[data-file="${ENTRIES[2]!.file}"]`).trigger('click');
    const detail = wrapper.get('[data-test="replay-detail"]');
    expect(detail.get('[data-test="detail-game"]').text()).toBe('Another Game 2.0');
    expect(detail.get('[data-test="detail-winner"]').text()).toBe('Alice');
    expect(detail.get('[data-test="detail-result"]').text()).toBe('won');
    expect(detail.findAll('[data-test="detail-team"]').map((t) => t.text())).toEqual(['Alice', 'Bob, Bot1 (bot)']);
    await detail.get('[data-test="replay-watch"]').trigger('click');
    await flushPromises();
    expect(calls).toEqual([`watchReplay {"file":"${ENTRIES[2]!.file}"}`]);
    expect(wrapper.find('[data-test="engine-panel"]').exists()).toBe(true);
  });

  it('deletes only after the confirm, and shows a refusal in words', async () => {
    const wrapper = await mounted();
    await wrapper.get(`[data-file="${ENTRIES[0]!.file}"]`).trigger('click');
    await wrapper.get('[data-test="replay-delete"]').trigger('click');
    expect(calls).toEqual([]);
    await wrapper.get('[data-test="replay-delete-cancel"]').trigger('click');
    expect(wrapper.find('[data-test="replay-delete-confirm"]').exists()).toBe(false);
    answer = () => ({ ok: false, code: 'not_available', message: 'The replay could not be deleted (EACCES).' });
    await wrapper.get('[data-test="replay-delete"]').trigger('click');
    await wrapper.get('[data-test="replay-delete-confirm"]').trigger('click');
    await flushPromises();
    expect(calls).toEqual([`deleteReplay {"file":"${ENTRIES[0]!.file}"}`]);
    expect(wrapper.get('[data-test="replays-action-error"]').text()).toMatch(/could not be deleted/);
    expect(wrapper.find('[data-test="replay-detail"]').exists()).toBe(true);
  });

  it('shows a battle in progress as recording, and the empty folder in words', async () => {
    const wrapper = await mounted([]);
    expect(wrapper.get('[data-test="replays-empty"]').text()).toMatch(/No replays yet/);
    stores.useBattleStore().apply({ slice: 'battle', value: { phase: 'running', map: 'Tiny Flat', game: 'g', engine: '106.0', host: '127.0.0.1' } });
    await flushPromises();
    expect(wrapper.get('[data-test="replay-recording"]').text()).toMatch(/recording.*Tiny Flat/s);
    await wrapper.get('[data-test="replays-refresh"]').trigger('click');
    await wrapper.get('[data-test="replays-open-folder"]').trigger('click');
    expect(calls).toEqual(['refreshReplays', 'openReplaysFolder']);
  });
});

describe('replay list functions', () => {
  it("names the player's result: won, lost, watched, unknown winners, not in it", () => {
    expect(replayResult(good('a'), 'Alice')).toBe('won');
    expect(replayResult(good('a'), 'Bob')).toBe('lost');
    expect(replayResult(good('a'), 'Watcher')).toBe('spectator');
    expect(replayResult(good('a', { winnersMissing: true, winners: [] }), 'Alice')).toBe('unknown');
    expect(replayResult(good('a'), 'Carol')).toBe('absent');
    expect(replayResult(good('a'), null)).toBe('absent');
  });

  it('keeps the core order on ties and for an empty search', () => {
    expect(searchReplays(ENTRIES, '  ')).toBe(ENTRIES);
    const same = [good('b'), good('a')];
    expect(sortReplays(same, 'map', false).map((e) => e.file)).toEqual(['b', 'a']);
    expect(sortReplays(ENTRIES, 'date', true).map((e) => e.file)).toEqual(ENTRIES.map((e) => e.file));
  });
});
