// The Lobbies view and the Lobby room in Debian's Chromium through the browser bridge, against a stand-in service that
// records every intent and answers with the patches the core publishes for it (a list, a room, a bot, a move, a chat
// line, a battle). Not the real core: it proves the page's side — the built app under the app's CSP, navigation, each
// control's intent and what the page shows of the slices — and takes the screenshots of both views.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { LobbyService } from '../../src-main/app/lobby-service';
import type {
  AppPatch, AppSnapshot, IpcResult, LobbyPlayerView, LobbyRoomView, PatchMessage,
} from '../../src-main/contract';
import { initialSnapshot } from '../../src-main/core/lobby/state';
import { SCREENSHOTS, useBrowserSuite } from '../support/e2e-page';
import { AIS, LIST, room, USERS } from '../renderer/support/lobby-fixtures';

const SERVER = 'http://127.0.0.1:1';

/** Answers as the core would once the lobby client serves these intents: each changes the stand-in's room and publishes it. */
function standInService(calls: string[]): LobbyService & { setRoom(next: LobbyRoomView | null): void } {
  const listeners = new Set<(message: PatchMessage) => void>();
  let seq = 0;
  let current: LobbyRoomView | null = null;
  const emit = (patch: AppPatch) => {
    seq += 1;
    for (const listener of listeners) listener({ seq, patch });
  };
  const setRoom = (next: LobbyRoomView | null) => {
    current = next;
    emit({ slice: 'lobby', value: next });
  };
  const snapshot: AppSnapshot = {
    ...initialSnapshot(SERVER),
    connection: { serverUrl: SERVER, phase: 'connected', versionParity: 'match', protocol: 'tachyon-current' },
    self: { userId: 'u1', username: 'alice', displayName: 'Alice', status: 'menu' },
    users: Object.fromEntries(USERS.map((u) => [u.userId, u])),
    skirmishAis: AIS,
    settings: { serverUrl: SERVER, enginePaths: [], dataDir: null },
    servers: { current: SERVER, profiles: [{ id: SERVER, kind: 'remote', url: SERVER, label: 'Stand-in', signedIn: true }] },
    session: { state: 'signed_in', server: SERVER },
  };
  const ok = (value: unknown = null): IpcResult<unknown> => ({ ok: true, value });
  const seat = (allyTeam: string, team: string): LobbyPlayerView => ({ userId: 'u1', allyTeam, team, player: '0', isReady: false, assetStatus: 'complete' });
  return {
    setRoom,
    onPatch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
    async invoke(name, payload) {
      if (name === 'snapshot') return ok({ seq, state: snapshot });
      calls.push(payload === undefined || payload === null ? String(name) : `${String(name)} ${JSON.stringify(payload)}`);
      const p = (payload ?? {}) as Record<string, unknown>;
      switch (name) {
        case 'watchLobbies':
          emit({ slice: 'lobbies', value: { watching: true, loaded: true, entries: LIST } });
          return ok();
        case 'unwatchLobbies':
          emit({ slice: 'lobbies', value: { watching: false, loaded: false, entries: {} } });
          return ok();
        case 'createLobby': {
          const fresh = room({
            id: 'lobby-new', name: String(p.name), mapName: String(p.mapName), bosses: ['u1'], areBossesEnabled: Boolean(p.bossesEnabled),
            players: { u1: seat('0', '0') }, spectators: {}, bots: {}, vote: null, voteHistory: [],
          });
          setRoom(fresh);
          return ok({ lobbyId: fresh.id });
        }
        case 'addBot': {
          if (!current) return { ok: false, code: 'not_available', message: 'Not in a lobby.' };
          const bot = { id: 'bot-1', hostUserId: 'u1', allyTeam: String(p.allyTeam), team: '0', player: '0', name: (p.name as string | undefined) ?? null, shortName: String(p.shortName), version: (p.version as string | undefined) ?? null, options: (p.options as Record<string, string> | undefined) ?? {} };
          setRoom({ ...current, bots: { ...current.bots, [bot.id]: bot } });
          return ok({ botId: bot.id });
        }
        case 'joinAllyTeam':
          if (current) setRoom({ ...current, players: { ...current.players, u1: seat(String(p.allyTeam), '1') } });
          return ok();
        case 'setLobbyReady':
          if (current) setRoom({ ...current, players: { ...current.players, u1: { ...current.players.u1!, isReady: Boolean(p.isReady) } } });
          return ok();
        case 'sendChat':
          if (current) emit({ slice: 'chat', append: [{ marker: `m${seq}`, at: Date.now(), fromUserId: 'u1', channel: { type: 'lobby', lobbyId: current.id }, text: String(p.text) }] });
          return ok();
        case 'startLobbyBattle':
          if (!current) return { ok: false, code: 'not_available', message: 'Not in a lobby.' };
          emit({ slice: 'battle', value: { phase: 'running', map: current.mapName, game: current.gameVersion, engine: current.engineVersion, host: '127.0.0.1' } });
          setRoom({ ...current, battle: { id: 'battle-1', startedAt: Date.now() } });
          return ok();
        case 'leaveLobby':
          emit({ slice: 'battle', value: null });
          setRoom(null);
          return ok();
        default:
          return { ok: false, code: 'not_available', message: `The stand-in does not serve ${String(name)}.` };
      }
    },
  };
}

const suite = useBrowserSuite({ launchTimeoutMs: 90_000 });

const open = (service: LobbyService): Promise<Page> => suite.openPage(service, { timeoutMs: 10_000 });

describe('Lobbies in Chromium (stand-in service)', () => {
  it('browses, creates a lobby, adds a bot, moves team, chats, starts, sees the battle and leaves', async () => {
    const calls: string[] = [];
    const service = standInService(calls);
    const page = await open(service);

    await page.getByTestId('nav-lobbies').click();
    const rows = page.getByTestId('lobby-row');
    await expect.poll(() => rows.count()).toBe(3);
    // The Library is asked for too: its installed maps come first among the create form's suggestions.
    expect(calls).toEqual(['refreshLibrary', 'watchLobbies']);
    await page.getByTestId('lobbies-search').fill('comet');
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByTestId('lobbies-search').fill('');
    await page.getByTestId('lobbies-sort-players').click();
    expect(await rows.first().getByTestId('lobby-name').textContent()).toBe('Team FFA');
    await page.getByTestId('create-name').fill('Evening skirmish');
    await page.getByTestId('create-map').fill('Tachyon Test Map');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'lobbies.png'), fullPage: true });

    await page.getByTestId('create-submit').click();
    await page.getByTestId('room-name').filter({ hasText: 'Evening skirmish' }).waitFor();
    // The list is no longer on screen: it is no longer watched.
    expect(calls.slice(2)).toEqual(['createLobby {"name":"Evening skirmish","mapName":"Tachyon Test Map","allyTeams":2,"teamSize":1,"bossesEnabled":true}', 'unwatchLobbies']);
    expect(await page.getByTestId('room-boss').textContent()).toContain('you are boss');

    // A bot on the other team, from the engine's AIs (the second one, with no options).
    await page.locator('[data-ally-team="1"]').getByTestId('team-add-bot').click();
    await page.getByTestId('bot-option-profile').waitFor();
    await page.setViewportSize({ width: 1280, height: 1500 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'lobby-room-add-bot.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByTestId('bot-ai').selectOption('KAIK');
    await page.getByTestId('bot-save').click();
    await page.locator('[data-ally-team="1"]').getByTestId('member-bot').filter({ hasText: 'KAIK 1' }).waitFor();

    await page.locator('[data-ally-team="1"]').getByTestId('team-join').click();
    await page.locator('[data-ally-team="1"] [data-id="u1"]').waitFor();
    expect(await page.getByTestId('room-place').textContent()).toContain('Team 2');
    await page.getByTestId('room-ready').click();
    await page.getByTestId('room-ready').filter({ hasText: 'Ready ✓' }).waitFor();

    await page.getByTestId('chat-input').fill('gl hf');
    await page.getByTestId('chat-input').press('Enter');
    await page.getByTestId('message-text').filter({ hasText: 'gl hf' }).waitFor();

    // A vote the server opened (a player asked for another map), shown with its countdown.
    const withVote = room({ id: 'lobby-new', name: 'Evening skirmish' });
    service.setRoom({ ...withVote, vote: { ...withVote.vote!, until: Date.now() + 60_000 } });
    await page.getByTestId('vote-countdown').waitFor();
    // The view scrolls inside the window: a taller window shows the whole room, chat included.
    await page.setViewportSize({ width: 1280, height: 1500 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'lobby-room.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByTestId('vote-yes').click();

    await page.getByTestId('room-start').click();
    await page.getByTestId('room-battle').waitFor();
    expect(await page.getByTestId('room-in-battle').textContent()).toMatch(/You are in it/);
    await page.getByTestId('nav-battle').click();
    await page.getByTestId('battle-phase').filter({ hasText: 'running' }).waitFor();
    await page.getByTestId('nav-lobbies').click();
    await page.getByTestId('room-leave').click();
    // Out of the lobby, the list is back and watched again.
    await expect.poll(() => rows.count()).toBe(3);

    expect(calls.slice(4)).toEqual([
      'addBot {"allyTeam":"1","shortName":"KAIK","version":"0.13","name":"KAIK 1"}',
      'joinAllyTeam {"allyTeam":"1"}',
      'setLobbyReady {"isReady":true}',
      'sendChat {"target":{"type":"lobby"},"text":"gl hf"}',
      'voteInLobby {"voteId":"v2","vote":"yes"}',
      'startLobbyBattle',
      'leaveLobby',
      'refreshLibrary',
      'watchLobbies',
    ]);
  }, 120_000);

  it("shows the server's refusal in words", async () => {
    const calls: string[] = [];
    const page = await open(standInService(calls));
    await page.getByTestId('nav-lobbies').click();
    await page.locator('[data-lobby="a"]').getByTestId('lobby-join').click();
    expect(await page.getByTestId('lobbies-join-error').textContent()).toBe('The stand-in does not serve joinLobby.');
  }, 60_000);
});
