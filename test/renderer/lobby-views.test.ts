// @vitest-environment happy-dom
// The Lobbies view and the Lobby room in happy-dom against real Pinia stores and a recording `window.lobby`: what they
// show of a realistic room, and the intents each control sends (exact payloads), with failures in words.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { Component } from 'vue';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IpcResult, LobbyRoomView } from '../../src-main/contract';
import type * as StoresModule from '../../src-renderer/stores';
import { buildRendererModules, installRecordingBridge, type BuiltModules } from './support/components';
import { AIS, LIST, room, USERS, VOTE_UNTIL } from './support/lobby-fixtures';

type Stores = typeof StoresModule;
let built: BuiltModules;
let LobbiesView: Component;
let LobbyRoomView: Component;
let stores: Stores;
let pinia: Pinia;
let calls: string[];
let answer: (name: string) => IpcResult<unknown>;

beforeAll(async () => {
  built = await buildRendererModules({ LobbiesView: 'views/LobbiesView.vue', LobbyRoomView: 'views/LobbyRoomView.vue', stores: 'stores/index.ts' });
  stores = await built.load<Stores>('stores');
  LobbiesView = (await built.load<{ default: Component }>('LobbiesView')).default;
  LobbyRoomView = (await built.load<{ default: Component }>('LobbyRoomView')).default;
}, 60_000);
afterAll(() => built?.dispose());

const wrappers: { unmount(): void }[] = [];
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  calls = [];
  answer = () => ({ ok: true, value: null });
  installRecordingBridge(calls, (name) => answer(name));
  stores.useConnectionStore().apply({ slice: 'connection', value: { serverUrl: 'http://127.0.0.1:1', phase: 'connected', versionParity: 'match' } });
  stores.useUsersStore().apply({ slice: 'users', upsert: USERS, remove: [] });
  stores.useSkirmishAisStore().apply({ slice: 'skirmishAis', value: AIS });
  signInAs('u1');
});
afterEach(() => {
  for (const wrapper of wrappers.splice(0)) wrapper.unmount();
  vi.useRealTimers();
});

function signInAs(userId: string) {
  const user = USERS.find((u) => u.userId === userId)!;
  stores.useSelfStore().apply({ slice: 'self', value: { userId, username: user.username, displayName: user.displayName, status: 'lobby' } });
}

async function mounted(view: Component) {
  const wrapper = mount(view, { global: { plugins: [pinia] }, attachTo: 'body' });
  wrappers.push(wrapper);
  await flushPromises();
  return wrapper;
}

async function inRoom(value: LobbyRoomView = room()) {
  stores.useLobbyRoomStore().apply({ slice: 'lobby', value });
  return mounted(LobbyRoomView);
}

describe('LobbiesView', () => {
  const listed = () => stores.useLobbiesStore().apply({ slice: 'lobbies', value: { watching: true, loaded: true, entries: LIST } });

  it('watches the list while shown, and stops watching when it goes', async () => {
    const wrapper = await mounted(LobbiesView);
    expect(calls).toEqual(['refreshLibrary', 'watchLobbies']);
    wrapper.unmount();
    wrappers.pop();
    expect(calls).toEqual(['refreshLibrary', 'watchLobbies', 'unwatchLobbies']);
  });

  it('asks for the list again after a reconnect dropped the subscription', async () => {
    listed();
    await mounted(LobbiesView);
    stores.useConnectionStore().apply({ slice: 'connection', value: { serverUrl: 'http://127.0.0.1:1', phase: 'reconnecting', versionParity: 'match' } });
    stores.useLobbiesStore().apply({ slice: 'lobbies', value: { watching: false, loaded: false, entries: {} } });
    await flushPromises();
    expect(calls).toEqual(['refreshLibrary', 'watchLobbies']);
    stores.useConnectionStore().apply({ slice: 'connection', value: { serverUrl: 'http://127.0.0.1:1', phase: 'connected', versionParity: 'match' } });
    await flushPromises();
    expect(calls).toEqual(['refreshLibrary', 'watchLobbies', 'watchLobbies']);
  });

  it('lists name, players/max, map, the running battle and engine/game; filters, hides full or running, sorts, and joins', async () => {
    listed();
    const wrapper = await mounted(LobbiesView);
    const names = () => wrapper.findAll('[data-test="lobby-name"]').map((n) => n.text());
    expect(names()).toEqual(['Full house', 'Newbies welcome', 'Team FFA']);
    const ffa = wrapper.get('[data-lobby="c"]');
    expect(ffa.get('[data-test="lobby-players"]').text()).toBe('6/16');
    expect(ffa.get('[data-test="lobby-map"]').text()).toBe('Avalanche');
    expect(ffa.get('[data-test="lobby-battle"]').text()).toMatch(/^running \d+:\d\d/);
    expect(ffa.get('[data-test="lobby-engine"]').text()).toBe('106.0 · Tachyon Test Game');
    expect(wrapper.get('[data-test="lobbies-count"]').text()).toBe('3 lobbies');

    await wrapper.get('[data-test="lobbies-sort-players"]').trigger('click');
    expect(names()).toEqual(['Team FFA', 'Full house', 'Newbies welcome']);
    expect(wrapper.get('th[aria-sort="descending"]').text()).toMatch(/Players/);
    await wrapper.get('[data-test="lobbies-sort-players"]').trigger('click');
    expect(names()).toEqual(['Newbies welcome', 'Full house', 'Team FFA']);

    await wrapper.get('[data-test="lobbies-hide-full"]').setValue(true);
    await wrapper.get('[data-test="lobbies-hide-running"]').setValue(true);
    expect(names()).toEqual(['Newbies welcome']);
    await wrapper.get('[data-test="lobbies-hide-running"]').setValue(false);
    await wrapper.get('[data-test="lobbies-search"]').setValue('nothing like it');
    expect(wrapper.get('[data-test="lobbies-empty"]').text()).toMatch(/No lobby matches/);
    await wrapper.get('[data-test="lobbies-search"]').setValue('ffa');
    expect(names()).toEqual(['Team FFA']);

    await wrapper.get('[data-lobby="c"] [data-test="lobby-join"]').trigger('click');
    await flushPromises();
    expect(calls).toEqual(['refreshLibrary', 'watchLobbies', 'joinLobby {"lobbyId":"c"}']);
  });

  it('says when the server refused the join, in words', async () => {
    listed();
    answer = (name) => (name === 'joinLobby' ? { ok: false, code: 'rejected', message: 'lobby_full' } : { ok: true, value: null });
    const wrapper = await mounted(LobbiesView);
    await wrapper.get('[data-lobby="a"] [data-test="lobby-join"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-test="lobbies-join-error"]').text()).toBe('The server said no: lobby_full');
  });

  it('checks the create form beside each field before sending, suggests maps, then creates with bosses as chosen', async () => {
    listed();
    stores.useMatchmakingStore().apply({ slice: 'matchmaking', value: {
      phase: 'idle', queues: [], playersQueued: null, found: null, readyCount: 0, cancelReason: null,
      playlists: [{ id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, ranked: false, version: null, engines: [], games: [], maps: ['Tachyon Test Map', 'Red Comet'] }],
    } });
    stores.useLibraryStore().apply({ slice: 'library', value: { scanning: false, entries: [
      { id: 'map:1', kind: 'map', name: 'Zed Installed', bytes: 10, format: '.sd7 archive', deletable: true },
      { id: 'game:1', kind: 'game', name: 'Not A Map', bytes: 10, format: 'rapid package', deletable: true },
    ] } });
    const wrapper = await mounted(LobbiesView);
    await wrapper.get('[data-test="create-lobby"]').trigger('submit');
    expect(calls).toEqual(['refreshLibrary', 'watchLobbies']);
    expect(wrapper.get('#create-name-error').text()).toMatch(/name/);
    expect(wrapper.get('#create-map-error').text()).toMatch(/map/);
    expect(wrapper.get('[data-test="create-name"]').attributes('aria-invalid')).toBe('true');
    expect(wrapper.findAll('#create-map-list option').map((o) => o.attributes('value'))).toEqual(['Zed Installed', 'Tachyon Test Map', 'Red Comet', 'Avalanche', 'Comet Catcher']);

    await wrapper.get('[data-test="create-name"]').setValue(' Friday ');
    await wrapper.get('[data-test="create-map"]').setValue('Comet Catcher');
    await wrapper.get('[data-test="create-ally-teams"]').setValue('3');
    await wrapper.get('[data-test="create-team-size"]').setValue('2');
    await wrapper.get('[data-test="create-bosses"]').setValue(false);
    expect(wrapper.get('#create-name-error').text()).toBe('');
    answer = (name) => (name === 'createLobby' ? { ok: false, code: 'not_available', message: 'Custom lobbies are not available yet.' } : { ok: true, value: null });
    await wrapper.get('[data-test="create-lobby"]').trigger('submit');
    await flushPromises();
    expect(calls.at(-1)).toBe('createLobby {"name":"Friday","mapName":"Comet Catcher","allyTeams":3,"teamSize":2,"bossesEnabled":false}');
    expect(wrapper.get('[data-test="create-error"]').text()).toBe('Custom lobbies are not available yet.');
  });
});

describe('LobbyRoomView', () => {
  it('shows the ally teams as columns with players, the bot and places; spectators, the queue and the settings', async () => {
    const wrapper = await inRoom();
    expect(wrapper.get('[data-test="room-name"]').text()).toBe('Friday skirmish');
    expect(wrapper.get('[data-test="room-map"]').text()).toBe('Tachyon Test Map');
    const teams = wrapper.findAll('[data-test="room-team"]');
    expect(teams.map((t) => t.attributes('aria-label'))).toEqual(['Team 1', 'Team 2']);
    expect(teams.map((t) => t.get('[data-test="team-count"]').text())).toEqual(['2/2', '2/3']);
    expect(teams[0]!.findAll('[data-test="member-name"]').map((n) => n.text())).toEqual(['Alice (you)', 'Carol']);
    expect(teams[0]!.get('[data-test="member-boss"]').text()).toBe('boss');
    expect(teams[0]!.get('[data-id="u3"] [data-test="member-assets"]').text()).toBe('downloading');
    expect(teams[1]!.get('[data-test="member-bot"] [data-test="member-ai"]').text()).toBe("NullAI 0.1 · on Alice's engine");
    expect(wrapper.findAll('[data-test="spectator"]').map((s) => s.text())).toEqual([expect.stringContaining('Dave')]);
    expect(wrapper.findAll('[data-test="queued"]').map((s) => s.text())).toEqual([expect.stringMatching(/^1\.\s*Erin$/)]);
    expect(wrapper.get('[data-test="room-place"]').text()).toBe('You play on Team 1, ready');
    expect(wrapper.get('[data-test="room-bosses"]').text()).toBe('Alice');
    expect(wrapper.get('[data-test="vote-history"]').text()).toMatch(/Start the battle.*failed/s);
  });

  it('shows the vote with its tally and a countdown to its end, and votes yes, no or abstain', async () => {
    vi.useFakeTimers({ now: VOTE_UNTIL - 12_300, toFake: ['Date'] });
    const wrapper = await inRoom();
    expect(wrapper.get('[data-test="vote-action"]').text()).toBe('Change the map to Other Map?');
    expect(wrapper.get('[data-test="vote-countdown"]').text()).toBe('13 s');
    expect(wrapper.get('[data-test="vote-tally"]').text()).toBe('1 yes · 1 no · 0 abstained · 1 waiting');
    for (const vote of ['yes', 'no', 'abstain']) await wrapper.get(`[data-test="vote-${vote}"]`).trigger('click');
    await flushPromises();
    expect(calls).toEqual(['yes', 'no', 'abstain'].map((vote) => `voteInLobby {"voteId":"v2","vote":"${vote}"}`));
    // Once the time is up the buttons close (the clock ticks past `until`).
    vi.setSystemTime(VOTE_UNTIL + 1_000);
    await vi.waitFor(() => expect(wrapper.get('[data-test="vote-countdown"]').text()).toBe('0 s'), { timeout: 10_000 });
    expect(wrapper.get('[data-test="vote-yes"]').attributes('disabled')).toBeDefined();
  });

  it('moves the player: ready, join another team, spectate, join the queue; and starts and leaves', async () => {
    const wrapper = await inRoom();
    await wrapper.get('[data-test="room-ready"]').trigger('click');
    await wrapper.get('[data-ally-team="1"] [data-test="team-join"]').trigger('click');
    // A full team offers no join.
    expect(wrapper.find('[data-ally-team="0"] [data-test="team-join"]').exists()).toBe(false);
    await wrapper.get('[data-test="room-spectate"]').trigger('click');
    await wrapper.get('[data-test="room-start"]').trigger('click');
    await wrapper.get('[data-test="room-leave"]').trigger('click');
    await flushPromises();
    expect(calls).toEqual(['setLobbyReady {"isReady":false}', 'joinAllyTeam {"allyTeam":"1"}', 'spectateLobby', 'startLobbyBattle', 'leaveLobby']);
    calls.length = 0;
    signInAs('u4');
    await flushPromises();
    expect(wrapper.get('[data-test="room-place"]').text()).toBe('You are watching');
    expect(wrapper.find('[data-test="room-start"]').exists()).toBe(false);
    await wrapper.get('[data-test="room-join-queue"]').trigger('click');
    await flushPromises();
    expect(calls).toEqual(['joinLobbyQueue']);
  });

  it("adds a bot from the engine's AIs with its options, edits it and removes it", async () => {
    const wrapper = await inRoom();
    await wrapper.get('[data-ally-team="1"] [data-test="team-add-bot"]').trigger('click');
    const form = wrapper.get('[data-test="bot-form"]');
    expect(form.get('h2').text()).toBe('Add a bot to Team 2');
    expect(form.findAll('[data-test="bot-ai"] option').map((o) => o.text())).toEqual(['Null AI 0.1', 'KAIK 0.13']);
    expect((form.get('[data-test="bot-name"]').element as unknown as { value: string }).value).toBe('NullAI 2');
    await form.get('[data-test="bot-option-aggression"]').setValue('11');
    expect(form.text()).toContain('At most 10.');
    expect(form.get('[data-test="bot-save"]').attributes('disabled')).toBeDefined();
    await form.get('[data-test="bot-option-aggression"]').setValue('8');
    await form.get('[data-test="bot-option-cheat"]').setValue(true);
    await form.get('[data-test="bot-option-profile"]').setValue('hard');
    await form.trigger('submit');
    await flushPromises();
    expect(calls).toEqual(['addBot {"allyTeam":"1","shortName":"NullAI","version":"0.1","name":"NullAI 2","options":{"aggression":"8","cheat":"1","profile":"hard"}}']);
    expect(wrapper.find('[data-test="bot-form"]').exists()).toBe(false);

    await wrapper.get('[data-test="bot-edit"]').trigger('click');
    expect(wrapper.get('[data-test="bot-form"] h2').text()).toBe('Edit NullAI 1');
    await wrapper.get('[data-test="bot-name"]').setValue('Grumpy');
    await wrapper.get('[data-test="bot-option-cheat"]').setValue(true);
    await wrapper.get('[data-test="bot-form"]').trigger('submit');
    await wrapper.get('[data-test="bot-remove"]').trigger('click');
    await flushPromises();
    expect(calls.slice(1)).toEqual(['updateBot {"botId":"b1","name":"Grumpy","options":{"cheat":"1"}}', 'removeBot {"botId":"b1"}']);
  });

  it('lets the boss kick, ban, appoint, step down and change the map and options; a player sees none of it', async () => {
    const wrapper = await inRoom();
    const bob = () => wrapper.get('[data-id="u2"]');
    await bob().get('[data-test="member-kick"]').trigger('click');
    await bob().get('[data-test="member-ban"]').trigger('click');
    await bob().get('[data-test="member-appoint"]').trigger('click');
    await wrapper.get('[data-id="u1"] [data-test="member-unboss"]').trigger('click');
    await wrapper.get('[data-test="room-edit"]').trigger('click');
    await wrapper.get('[data-test="edit-map"]').setValue('Other Map');
    await wrapper.get('[data-test="edit-option-remove"]').trigger('click');
    await wrapper.get('[data-test="edit-option-add"]').trigger('click');
    await wrapper.get('[data-test="edit-option-key"]').setValue('startenergy');
    await wrapper.get('[data-test="edit-option-value"]').setValue('500');
    await wrapper.get('[data-test="room-settings"] form').trigger('submit');
    await flushPromises();
    expect(calls).toEqual([
      'kickbanFromLobby {"userId":"u2"}', 'kickbanFromLobby {"userId":"u2","banMinutes":60}', 'appointBoss {"userId":"u2"}', 'unboss {}',
      'updateLobby {"mapName":"Other Map","gameOptions":{"startenergy":"500","startmetal":null}}',
    ]);

    signInAs('u2');
    await flushPromises();
    expect(wrapper.find('[data-test="member-kick"]').exists()).toBe(false);
    expect(wrapper.find('[data-test="member-appoint"]').exists()).toBe(false);
    expect(wrapper.find('[data-test="room-edit"]').exists()).toBe(false);
    // Alice's bot runs on Alice's engine: only she (or a boss) may change it.
    expect(wrapper.find('[data-test="bot-edit"]').exists()).toBe(false);
  });

  it('chats in the lobby: its lines, and a line sent to the lobby', async () => {
    stores.useChatStore().apply({ slice: 'chat', append: [
      { marker: 'm1', at: 0, fromUserId: 'u2', channel: { type: 'lobby', lobbyId: 'lobby-7' }, text: 'gl hf' },
      { marker: 'm2', at: 0, fromUserId: 'u3', channel: { type: 'player', userId: 'u1' }, text: 'a direct line, not here' },
    ] });
    const wrapper = await inRoom();
    expect(wrapper.findAll('[data-test="message-text"]').map((m) => m.text())).toEqual(['gl hf']);
    await wrapper.get('[data-test="chat-input"]').setValue('you too');
    await wrapper.get('form.composer').trigger('submit');
    await flushPromises();
    expect(calls).toEqual(['sendChat {"target":{"type":"lobby"},"text":"you too"}']);
  });

  it('shows the running battle with a join for a late joiner, and a refusal in words', async () => {
    signInAs('u4');
    const wrapper = await inRoom(room({ battle: { id: 'battle-1', startedAt: Date.now() - 65_000 }, vote: null }));
    expect(wrapper.get('[data-test="room-battle"]').text()).toMatch(/Battle running 1:0\d/);
    expect(wrapper.find('[data-test="room-start"]').exists()).toBe(false);
    answer = () => ({ ok: false, code: 'rejected', message: 'battle_full' });
    await wrapper.get('[data-test="room-join-battle"]').trigger('click');
    await flushPromises();
    expect(calls).toEqual(['joinLobbyBattle']);
    expect(wrapper.get('[data-test="room-error"]').text()).toBe('The server said no: battle_full');
    // Once the player's own engine runs the battle, there is nothing to join.
    stores.useBattleStore().apply({ slice: 'battle', value: { phase: 'running', map: 'Tachyon Test Map', game: 'g', engine: '106.0', host: '127.0.0.1' } });
    await flushPromises();
    expect(wrapper.find('[data-test="room-join-battle"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="room-in-battle"]').text()).toMatch(/You are in it/);
  });
});
