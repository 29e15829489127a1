// @vitest-environment happy-dom
// The People view's party (size against the server's maximum, invite disabled when full, invitations, refusals in words),
// the Chat view's lobby thread and the Server view's protocol revision, mounted in happy-dom against real Pinia stores.
import { mount, flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { Component } from 'vue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IpcResult, PartyView } from '../../src-main/contract';
import type * as StoresModule from '../../src-renderer/stores';
import { buildRendererModules, installRecordingBridge, type BuiltModules } from './support/components';

type Stores = typeof StoresModule;
let built: BuiltModules;
let views: Record<'PeopleView' | 'ServerView' | 'ChatView', Component>;
let stores: Stores;
let pinia: Pinia;
let calls: string[];
let answer: (name: string) => IpcResult<unknown>;

beforeAll(async () => {
  built = await buildRendererModules({ PeopleView: 'views/PeopleView.vue', ServerView: 'views/ServerView.vue', ChatView: 'views/ChatView.vue', stores: 'stores/index.ts' });
  stores = await built.load<Stores>('stores');
  const load = async (name: string) => (await built.load<{ default: Component }>(name)).default;
  views = { PeopleView: await load('PeopleView'), ServerView: await load('ServerView'), ChatView: await load('ChatView') };
}, 30_000);
afterAll(() => built?.dispose());

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  calls = [];
  answer = () => ({ ok: true, value: null });
  installRecordingBridge(calls, (name) => answer(name));
  stores.useSelfStore().apply({ slice: 'self', value: { userId: 'u1', username: 'alice', displayName: 'Alice', status: 'menu' } });
  stores.useUsersStore().apply({
    slice: 'users',
    upsert: ['Alice', 'Bob', 'Carol', 'Dave'].map((name, i) => ({ userId: `u${i + 1}`, username: name.toLowerCase(), displayName: name, clanId: null, status: 'menu' as const })),
    remove: [],
  });
});

const party = (members: string[], invited: string[], maxMembers: number | null, id = 'p1'): PartyView => ({
  id, maxMembers, members: members.map((userId) => ({ userId, joinedAt: 1 })), invited: invited.map((userId) => ({ userId, invitedAt: 2 })),
});

describe('PeopleView party', () => {
  it('shows the party as "n / max" and disables invite once members and invitations fill it', async () => {
    const wrapper = mount(views.PeopleView, { global: { plugins: [pinia] } });
    stores.usePartyStore().apply({ slice: 'party', value: { current: party(['u1', 'u2'], [], 3), invitations: [] } });
    await flushPromises();
    expect(wrapper.get('[data-test="party-size"]').text()).toBe('2 / 3');
    // Members are not offered an invitation; the others are, while there is room.
    expect(wrapper.find('[data-test="invite-u2"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="invite-u3"]').attributes('disabled')).toBeUndefined();
    await wrapper.get('[data-test="invite-u3"]').trigger('click');
    expect(calls).toEqual(['inviteToParty {"userId":"u3"}']);

    stores.usePartyStore().apply({ slice: 'party', value: { current: party(['u1', 'u2'], ['u3'], 3), invitations: [] } });
    await flushPromises();
    expect(wrapper.get('[data-test="party-size"]').text()).toBe('3 / 3');
    expect(wrapper.get('[data-test="party-full"]').text()).toMatch(/full/);
    const dave = wrapper.get('[data-test="invite-u4"]');
    expect(dave.attributes('disabled')).toBeDefined();
    expect(dave.attributes('title')).toBe('The party is full.');
    wrapper.unmount();
  });

  it('shows a party whose maximum a 1.13.0 server does not say by its size alone, never full', async () => {
    const wrapper = mount(views.PeopleView, { global: { plugins: [pinia] } });
    stores.usePartyStore().apply({ slice: 'party', value: { current: party(['u1', 'u2', 'u3'], [], null), invitations: [] } });
    await flushPromises();
    expect(wrapper.get('[data-test="party-size"]').text()).toBe('3');
    expect(wrapper.get('[data-test="invite-u4"]').attributes('disabled')).toBeUndefined();
    wrapper.unmount();
  });

  it('lists invitations received with Accept and Decline, and shows a refusal in words', async () => {
    const wrapper = mount(views.PeopleView, { global: { plugins: [pinia] } });
    stores.usePartyStore().apply({ slice: 'party', value: { current: null, invitations: [party(['u2'], ['u1'], 8, 'p2')] } });
    await flushPromises();
    const invitation = wrapper.get('[data-test="invitation-p2"]');
    expect(invitation.text()).toContain('Bob');
    expect(invitation.text()).toContain('2 / 8');
    answer = (name) => (name === 'acceptPartyInvite'
      ? { ok: false, code: 'rejected', reason: 'invalid_request', message: 'There is no such invitation (it may have run out). The server said: not_invited' }
      : { ok: true, value: null });
    await wrapper.get('[data-test="accept-p2"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-test="people-error"]').text()).toBe('The server said no: There is no such invitation (it may have run out). The server said: not_invited');
    await wrapper.get('[data-test="decline-p2"]').trigger('click');
    await flushPromises();
    expect(calls).toEqual(['acceptPartyInvite {"partyId":"p2"}', 'declinePartyInvite {"partyId":"p2"}']);
    expect(wrapper.find('[data-test="people-error"]').exists()).toBe(false);
    wrapper.unmount();
  });
});

describe('ChatView lobby thread', () => {
  it('opens a thread for lines from a lobby and answers it with target lobby', async () => {
    const wrapper = mount(views.ChatView, { global: { plugins: [pinia] } });
    stores.useChatStore().apply({ slice: 'chat', append: [{ marker: 'm1', at: 0, fromUserId: 'u2', channel: { type: 'lobby', lobbyId: 'L1' }, text: 'gl hf' }] });
    await flushPromises();
    expect(wrapper.get('[data-test="thread-lobby:L1"]').text()).toContain('Lobby');
    expect(wrapper.get('[data-test="message-text"]').text()).toBe('gl hf');
    await wrapper.get('[data-test="chat-input"]').setValue('you too');
    await wrapper.get('form.composer').trigger('submit');
    await flushPromises();
    expect(calls).toEqual(['sendChat {"target":{"type":"lobby"},"text":"you too"}']);
    wrapper.unmount();
  });
});

describe('ServerView revision', () => {
  it('says which protocol revision the server speaks, and that it is not known before the server has said', async () => {
    const wrapper = mount(views.ServerView, { global: { plugins: [pinia] } });
    const connection = stores.useConnectionStore();
    connection.apply({ slice: 'connection', value: { serverUrl: 'https://lobby.example', phase: 'connected', versionParity: 'match' } });
    await flushPromises();
    expect(wrapper.get('[data-test="protocol-revision"]').text()).toBe('Not known yet');
    connection.apply({ slice: 'protocol', value: 'tachyon-current' });
    await flushPromises();
    expect(wrapper.get('[data-test="protocol-revision"]').text()).toBe('Tachyon, Teiserver\'s current revision');
    connection.apply({ slice: 'connection', value: { serverUrl: 'https://lobby.example', phase: 'reconnecting', versionParity: 'match' } });
    await flushPromises();
    expect(wrapper.get('[data-test="protocol-revision"]').text()).toBe('Not known yet');
    connection.apply({ slice: 'protocol', value: 'tachyon-1.13' });
    await flushPromises();
    expect(wrapper.get('[data-test="protocol-revision"]').text()).toBe('Tachyon 1.13.0');
    wrapper.unmount();
  });
});
