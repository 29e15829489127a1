// @vitest-environment happy-dom
// The components with the most logic, mounted in happy-dom against real Pinia stores and a recording `window.lobby`.
import { mount, flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { Component } from 'vue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineView, IpcResult, MatchmakingView, SessionView } from '../../src-main/contract';
import type * as StoresModule from '../../src-renderer/stores';
import { buildRendererModules, installRecordingBridge, type BuiltModules } from './support/components';

type Stores = typeof StoresModule;
let built: BuiltModules;
let components: Record<string, Component>;
let stores: Stores;
let pinia: Pinia;
let calls: string[];
let answer: (name: string) => IpcResult<unknown>;

beforeAll(async () => {
  built = await buildRendererModules({
    MatchFoundDialog: 'components/MatchFoundDialog.vue',
    EnginePanel: 'components/EnginePanel.vue',
    SettingsView: 'views/SettingsView.vue',
    ServersPanel: 'components/ServersPanel.vue',
    SignInPanel: 'components/SignInPanel.vue',
    stores: 'stores/index.ts',
  });
  stores = await built.load<Stores>('stores');
  components = {
    MatchFoundDialog: (await built.load<{ default: Component }>('MatchFoundDialog')).default,
    EnginePanel: (await built.load<{ default: Component }>('EnginePanel')).default,
    SettingsView: (await built.load<{ default: Component }>('SettingsView')).default,
    ServersPanel: (await built.load<{ default: Component }>('ServersPanel')).default,
    SignInPanel: (await built.load<{ default: Component }>('SignInPanel')).default,
  };
}, 30_000);
afterAll(() => built?.dispose());

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  calls = [];
  answer = () => ({ ok: true, value: null });
  installRecordingBridge(calls, (name) => answer(name));
});

const found = (timeoutMs: number, readyCount = 0, phase: MatchmakingView['phase'] = 'found'): MatchmakingView => ({
  phase,
  playlists: [{ id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, ranked: false, version: 'v1', engines: [], games: [], maps: [] }],
  queues: ['1v1'],
  playersQueued: null,
  found: { queueId: '1v1', timeoutMs, deadline: Date.now() + timeoutMs },
  readyCount,
  cancelReason: null,
});

describe('MatchFoundDialog', () => {
  it('counts down from the server timeout, shows the tally, and readies', async () => {
    const wrapper = mount(components.MatchFoundDialog!, { global: { plugins: [pinia] }, attachTo: 'body' });
    expect(wrapper.find('[data-test="match-found"]').exists()).toBe(false);
    stores.useMatchmakingStore().apply({ slice: 'matchmaking', value: found(12_000, 1) });
    await flushPromises();
    const countdown = Number(wrapper.get('[data-test="countdown"]').text());
    expect(countdown).toBeGreaterThan(10);
    expect(countdown).toBeLessThanOrEqual(12);
    expect(wrapper.get('[data-test="ready-tally"]').attributes('aria-label')).toBe('1 of 2 players ready');
    expect(wrapper.findAll('.seat.ready')).toHaveLength(1);
    // The Ready button takes the focus, so Enter readies.
    expect(wrapper.get('[data-test="ready"]').element).toBe((globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement);
    await wrapper.get('[data-test="ready"]').trigger('click');
    expect(calls).toEqual(['ready']);
    stores.useMatchmakingStore().apply({ slice: 'matchmaking', value: found(12_000, 2, 'readied') });
    await flushPromises();
    expect(wrapper.get('[data-test="ready"]').text()).toContain('waiting for others');
    expect(wrapper.get('[data-test="ready"]').attributes('disabled')).toBeDefined();
    wrapper.unmount();
  });

  it('says in words when readying fails, and closes when the match is gone', async () => {
    answer = () => ({ ok: false, code: 'rejected', message: 'The match is gone.', reason: 'no_match' });
    const wrapper = mount(components.MatchFoundDialog!, { global: { plugins: [pinia] } });
    stores.useMatchmakingStore().apply({ slice: 'matchmaking', value: found(5_000) });
    await flushPromises();
    await wrapper.get('[data-test="ready"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('.error').text()).toBe('The server said no: The match is gone.');
    stores.useMatchmakingStore().apply({ slice: 'matchmaking', value: { ...found(5_000), phase: 'lost', found: null } });
    await flushPromises();
    expect(wrapper.find('[data-test="match-found"]').exists()).toBe(false);
    wrapper.unmount();
  });
});

describe('EnginePanel', () => {
  const engine = (patch: Partial<EngineView>): Omit<EngineView, 'console'> => ({ status: 'offline', pid: null, startedAt: null, cpuPercent: null, rssMb: null, exitCode: null, ...patch });

  it('offers Start only when offline, shows stats while running, and stops', async () => {
    const wrapper = mount(components.EnginePanel!, { global: { plugins: [pinia] } });
    expect(wrapper.get('[data-test="engine-stop"]').attributes('disabled')).toBeDefined();
    expect(wrapper.text()).toContain('Start');
    const store = stores.useEngineStore();
    store.apply({ slice: 'engine', value: engine({ status: 'running', pid: 4242, startedAt: Date.now() - 65_000, cpuPercent: 87.25, rssMb: 1290.4 }) });
    store.apply({ slice: 'engineConsole', append: ['[f=0] loading', 'MyPasswd=[redacted]'] });
    await flushPromises();
    expect(wrapper.get('[data-test="engine-pid"]').text()).toBe('4242');
    expect(wrapper.get('[data-test="engine-cpu"]').text()).toBe('87.3 %');
    expect(wrapper.get('[data-test="engine-memory"]').text()).toBe('1290 MB');
    expect(wrapper.get('[data-test="engine-uptime"]').text()).toMatch(/^1:0[4-6]$/);
    expect(wrapper.get('[data-test="engine-console"]').text()).toBe('[f=0] loading\nMyPasswd=[redacted]');
    expect(wrapper.findAll('button').map((b) => b.text())).not.toContain('Start');
    await wrapper.get('[data-test="engine-stop"]').trigger('click');
    await flushPromises();
    await wrapper.get('[data-test="engine-kill"]').trigger('click');
    expect(calls).toEqual(['engineStop', 'engineKill']);
    store.apply({ slice: 'engine', value: engine({ status: 'offline', exitCode: 21, message: 'The engine could not join the battle.' }) });
    await flushPromises();
    expect(wrapper.get('[data-test="engine-exit"]').text()).toBe('21');
    expect(wrapper.get('[data-test="engine-message"]').text()).toBe('The engine could not join the battle.');
    expect(wrapper.get('[data-test="engine-pid"]').text()).toBe('—');
    // The console survives the status change: the player can read why it ended.
    expect(wrapper.get('[data-test="engine-console"]').text()).toContain('loading');
    wrapper.unmount();
  });
});

describe('SettingsView', () => {
  it('has one place for the server (the Servers panel) and says what is wrong under each field, sending nothing until it is fixed', async () => {
    const wrapper = mount(components.SettingsView!, { global: { plugins: [pinia] } });
    expect(wrapper.find('[data-test="servers"]').exists()).toBe(true);
    expect(wrapper.find('[data-test="settings-server"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="settings-form"]').text()).not.toMatch(/Server address/);
    await wrapper.get('[data-test="settings-engines"]').setValue('engines/recoil');
    await wrapper.get('[data-test="settings-data-dir"]').setValue('data');
    await wrapper.get('[data-test="settings-form"]').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-test="settings-engines-error"]').text()).toMatch(/Line 1 is not a full path/);
    expect(wrapper.get('[data-test="settings-data-dir-error"]').text()).toMatch(/Not a full path/);
    expect(wrapper.get('[data-test="settings-engines"]').attributes('aria-invalid')).toBe('true');
    expect(calls).toEqual([]);
    // Fixing a field clears its error at once.
    await wrapper.get('[data-test="settings-data-dir"]').setValue('/data/lobby');
    expect(wrapper.find('[data-test="settings-data-dir-error"]').exists()).toBe(false);
    await wrapper.get('[data-test="settings-engines"]').setValue('/opt/recoil\n');
    await wrapper.get('[data-test="settings-form"]').trigger('submit');
    await flushPromises();
    // Both fields in one intent: main rebuilds the lobby once for the save.
    expect(calls).toEqual(['updateSettings {"enginePaths":["/opt/recoil"],"dataDir":"/data/lobby"}']);
    expect(wrapper.find('[data-test="settings-saved"]').exists()).toBe(true);
    wrapper.unmount();
  });

  it("shows main's refusal in its words and stops there", async () => {
    answer = (name) => (name === 'updateSettings' ? { ok: false, code: 'invalid_input', message: 'Engine folder "/opt/none" does not exist.' } : { ok: true, value: null });
    const wrapper = mount(components.SettingsView!, { global: { plugins: [pinia] } });
    await wrapper.get('[data-test="settings-engines"]').setValue('/opt/none');
    await wrapper.get('[data-test="settings-data-dir"]').setValue('/data/lobby');
    await wrapper.get('[data-test="settings-form"]').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-test="settings-error"]').text()).toBe('Engine folder "/opt/none" does not exist.');
    expect(calls).toEqual(['updateSettings {"enginePaths":["/opt/none"],"dataDir":"/data/lobby"}']);
    expect(wrapper.find('[data-test="settings-saved"]').exists()).toBe(false);
    // Another field stored meanwhile does not wipe what the player typed.
    stores.useSettingsStore().apply({ slice: 'settings', value: { serverUrl: null, enginePaths: [], dataDir: '/elsewhere' } });
    await flushPromises();
    expect((wrapper.get('[data-test="settings-engines"]').element as unknown as { value: string }).value).toBe('/opt/none');
    expect((wrapper.get('[data-test="settings-data-dir"]').element as unknown as { value: string }).value).toBe('/data/lobby');
    wrapper.unmount();
  });
});

describe('ServersPanel', () => {
  beforeEach(() => {
    stores.useServersStore().apply({
      slice: 'servers',
      value: { current: 'embedded', profiles: [{ id: 'embedded', kind: 'embedded', url: null, label: 'This computer', signedIn: false }] },
    });
  });

  it('checks the address to add under its field, before any intent is sent', async () => {
    const wrapper = mount(components.ServersPanel!, { global: { plugins: [pinia] }, attachTo: 'body' });
    const input = wrapper.get('[data-test="add-server-url"]');
    expect(wrapper.get('[data-test="add-server-hint"]').text()).toMatch(/https:\/\/ for a remote server; http:\/\/ only for this computer/);
    expect(input.attributes('aria-describedby')).toBe('add-server-hint');
    await wrapper.get('[data-test="add-server"]').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-test="add-server-error"]').text()).toMatch(/Type the server's address/);
    await input.setValue('http://lobby.example');
    // The error follows the typing once shown; it is the field's description, and the field is marked invalid and focused.
    expect(wrapper.get('[data-test="add-server-error"]').text()).toMatch(/only for this computer/);
    await wrapper.get('[data-test="add-server"]').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-test="add-server-error"]').attributes('id')).toBe('add-server-hint');
    expect(input.attributes('aria-invalid')).toBe('true');
    expect(input.element).toBe((globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement);
    await input.setValue('lobby.example');
    expect(wrapper.get('[data-test="add-server-error"]').text()).toMatch(/Not a web address/);
    expect(calls).toEqual([]);
    await input.setValue(' https://lobby.example ');
    expect(wrapper.find('[data-test="add-server-error"]').exists()).toBe(false);
    expect(input.attributes('aria-invalid')).toBeUndefined();
    await wrapper.get('[data-test="add-server-label"]').setValue('Lobby');
    await wrapper.get('[data-test="add-server"]').trigger('submit');
    await flushPromises();
    expect(calls).toEqual(['addServer {"url":"https://lobby.example","label":"Lobby"}']);
    // Added: the fields are empty again and no error waits for the next address.
    expect((input.element as unknown as { value: string }).value).toBe('');
    expect(wrapper.find('[data-test="add-server-error"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it("lets plain http through for this computer and shows main's refusal in its words", async () => {
    answer = (name) => (name === 'addServer' ? { ok: false, code: 'invalid_input', message: 'The server address is not usable. Use one like https://server.example.' } : { ok: true, value: null });
    const wrapper = mount(components.ServersPanel!, { global: { plugins: [pinia] } });
    await wrapper.get('[data-test="add-server-url"]').setValue('http://localhost:8200');
    await wrapper.get('[data-test="add-server"]').trigger('submit');
    await flushPromises();
    expect(calls).toEqual(['addServer {"url":"http://localhost:8200"}']);
    expect(wrapper.find('[data-test="add-server-error"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="add-server-failed"]').text()).toBe('The server address is not usable. Use one like https://server.example.');
    // What the player typed stays, to fix it.
    expect((wrapper.get('[data-test="add-server-url"]').element as unknown as { value: string }).value).toBe('http://localhost:8200');
    wrapper.unmount();
  });
});

describe('SignInPanel', () => {
  const REMOTE = 'https://lobby.example';
  function setSession(value: SessionView) {
    stores.useSessionStore().apply({ slice: 'session', value });
  }
  beforeEach(() => {
    stores.useServersStore().apply({
      slice: 'servers',
      value: { current: REMOTE, profiles: [{ id: 'embedded', kind: 'embedded', url: null, label: 'This computer', signedIn: false }, { id: REMOTE, kind: 'remote', url: REMOTE, label: 'Lobby', signedIn: false }] },
    });
  });

  it('says a sign-in is kept for this run only when the computer has no keyring', async () => {
    const notice = 'This computer has no keyring to protect your sign-in, so it is kept only until the app closes.';
    setSession({ state: 'signed_out', server: REMOTE, storageNotice: notice });
    const wrapper = mount(components.SignInPanel!, { global: { plugins: [pinia] } });
    expect(wrapper.get('[data-test="sign-in-storage"]').text()).toBe(notice);
    setSession({ state: 'signed_in', server: REMOTE, lastEvent: 'auth success', storageNotice: notice });
    await flushPromises();
    // Not "remembered on this computer": the notice takes its place.
    expect(wrapper.get('[data-test="sign-in-detail"]').text()).toBe(notice);
    expect(wrapper.find('[data-test="sign-in-storage"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('walks through sign in, waiting with cancel, signed in with sign out', async () => {
    setSession({ state: 'signed_out', server: REMOTE });
    const wrapper = mount(components.SignInPanel!, { global: { plugins: [pinia] } });
    expect(wrapper.get('[data-test="sign-in-title"]').text()).toBe('Not signed in to Lobby');
    expect(wrapper.get('[data-test="sign-in-server"]').text()).toBe(`Lobby · ${REMOTE}`);
    await wrapper.get('[data-test="sign-in-button"]').trigger('click');
    expect(calls).toEqual(['signIn']);
    setSession({ state: 'signing_in', server: REMOTE });
    await flushPromises();
    expect(wrapper.get('[data-test="sign-in-title"]').text()).toBe('Waiting for your browser…');
    expect(wrapper.find('[data-test="sign-in-button"]').exists()).toBe(false);
    await wrapper.get('[data-test="sign-in-cancel"]').trigger('click');
    expect(calls).toEqual(['signIn', 'cancelSignIn']);
    stores.useSelfStore().apply({ slice: 'self', value: { userId: 'u1', username: 'alice', displayName: 'Alice <b>', clanId: null, countryCode: null, status: 'menu', partyId: null, friendIds: [], outgoingFriendRequests: [], incomingFriendRequests: [], outgoingPartyInvites: [], incomingPartyInvites: [] } as never });
    setSession({ state: 'signed_in', server: REMOTE, lastEvent: 'auth success' });
    await flushPromises();
    expect(wrapper.get('[data-test="sign-in-title"]').text()).toBe('Signed in as Alice <b>');
    expect(wrapper.html()).not.toContain('<b>');
    await wrapper.get('[data-test="sign-out-button"]').trigger('click');
    expect(calls).toEqual(['signIn', 'cancelSignIn', 'signOut']);
    wrapper.unmount();
  });

  it('says why a sign-in failed or ended, as an alert, and offers to sign in again', async () => {
    setSession({ state: 'signed_out', server: REMOTE, problem: 'access_denied', message: 'Access denied: you declined the sign-in on the server\'s page.' });
    const wrapper = mount(components.SignInPanel!, { global: { plugins: [pinia] } });
    const detail = wrapper.get('[data-test="sign-in-detail"]');
    expect(detail.text()).toMatch(/^Access denied/);
    expect(detail.attributes('role')).toBe('alert');
    setSession({ state: 'expired', server: REMOTE, lastEvent: 'token expired', problem: 'ended', message: 'The server ended this sign-in. Sign in again.' });
    await flushPromises();
    expect(wrapper.get('[data-test="sign-in-title"]').text()).toBe('Your sign-in to Lobby has ended');
    expect(wrapper.get('[data-test="sign-in-button"]').text()).toBe('Sign in again');
    answer = () => ({ ok: false, code: 'sign_in_failed', reason: 'network', message: 'Could not reach the server for sign-in: connect ECONNREFUSED.' });
    await wrapper.get('[data-test="sign-in-button"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-test="sign-in-error"]').text()).toBe('Could not reach the server for sign-in: connect ECONNREFUSED.');
    wrapper.unmount();
  });
});
