// Custom battles in Debian's Chromium through the browser bridge, against the real core and local play: the embedded
// server's lobby/*, its local autohost on the real spring-dedicated, and alice's spring-headless. Bob is a second lobby
// core in Node: his lobby is the one alice browses, and he joins hers to see her chat and be seen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createLobbyService } from '../../src-main/app/lobby-service';
import { createMemorySettingsStore } from '../../src-main/app/settings';
import { appEngineOptions, contentDirOf } from '../../src-main/app/lobby-factory';
import { TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import { IntentError } from '../../src-main/core/lobby/intents';
import { startLocalPlay } from '../../src-main/core/local-play';
import { createMemoryLogger } from '../../src-main/core/log';
import { SCREENSHOTS, useBrowserSuite } from '../support/e2e-page';
import { createFixedTokenSignIn } from '../support/fixed-sign-in';
import { engineDescendants } from '../support/processes';
import { recordLog, recordSecrets } from '../support/secret-ledger';
import { connected, waitFor } from '../support/world';
import { controlsOf, type TestControls } from '../support/server-controls';

// Every engine this file started (alice's and the host's) is gone once the browser is.
const suite = useBrowserSuite({ launchTimeoutMs: 90_000, afterAll: () => expect(engineDescendants()).toEqual([]) });

async function shot(page: Page, name: string) {
  await page.setViewportSize({ width: 1280, height: 1400 });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/**
 * Local play as the app's factory starts it with no server configured (the test keeps its handle to add bob), alice's core
 * behind the page through the bridge, and bob's core in Node with a lobby of his own.
 */
async function openLocalPlay(): Promise<{ page: Page; bob: CoreLobbyApp; alice: () => CoreLobbyApp; controls: TestControls }> {
  const base = mkdtempSync(path.join(tmpdir(), 'lobby-e2e-lobbies-'));
  suite.cleanup(async () => rmSync(base, { recursive: true, force: true }));
  const dataDir = path.join(base, 'alice');
  // The test game ends itself at frame 240 (8 s of game time): the battle runs, then closes on its own.
  await writeTestContent(contentDirOf(dataDir), { gameOverFrame: 240 });
  const logger = createMemoryLogger();
  suite.cleanup(async () => recordLog(logger.lines));
  const local = await startLocalPlay({
    dataDir: path.join(dataDir, 'local'),
    replaysDir: path.join(dataDir, 'replays'),
    contentDirs: [contentDirOf(dataDir)],
    engines: { engineDirs: [] },
    logger: logger.child('local-play'),
  });
  suite.cleanup(() => local.close());
  const aliceToken = local.tokenFor('alice');
  const bobToken = local.tokenFor('bob');
  recordSecrets(aliceToken, bobToken);

  // Attached before any player connects, so every client message is checked against the protocol.
  const controls = controlsOf(local.server);
  suite.cleanup(() => controls.violations.forEach((v) => suite.problem(`protocol: ${v}`)));
  const bob: CoreLobbyApp = createLobbyApp({
    serverUrl: local.baseUrl, getToken: () => bobToken, dataDir: path.join(base, 'bob'), logger: logger.child('bob'),
    connection: { backoff: { baseMs: 50, capMs: 500 } },
  });
  suite.cleanup(() => bob.close());
  await waitFor('bob connected', () => connected(bob), 20_000);
  await bob.intents.createLobby({ name: 'Bobs room', mapName: TEST_MAP_NAME, allyTeams: 2, teamSize: 1, bossesEnabled: true });

  let stopUpdates = () => {};
  let alice: CoreLobbyApp | null = null;
  const service = await createLobbyService({
    settings: createMemorySettingsStore(),
    auth: createFixedTokenSignIn(),
    createApp: async () => {
      const app = (alice = createLobbyApp({
        serverUrl: local.baseUrl,
        getToken: () => aliceToken,
        dataDir: path.join(dataDir, 'local'),
        logger: logger.child('alice'),
        statsIntervalMs: 300,
        connection: { backoff: { baseMs: 50, capMs: 500 } },
        engine: {
          ...appEngineOptions({ enginePaths: [], dataDir, binary: 'headless', registry: local.registry, contentDirs: local.content.contentDirs, statsIntervalMs: 300 }),
          runner: { tempBase: path.join(dataDir, 'engine-runs'), replaysDir: path.join(dataDir, 'replays'), stopGraceMs: 5_000 },
        },
        replaysDir: path.join(dataDir, 'replays'),
      }));
      stopUpdates = local.forwardBattleUpdates((patch) => app.publish(patch));
      return app;
    },
    logError: (m) => logger.error(m),
  });
  suite.cleanup(async () => {
    stopUpdates();
    await service.close();
  });
  const page = await suite.openPage(service, { timeoutMs: 15_000, closeService: false });
  return { page, bob, alice: () => alice!, controls };
}

/** Drops every player's connection and waits until each client has seen it go and has its session back. */
async function dropAndWaitBack(controls: TestControls, apps: readonly CoreLobbyApp[]): Promise<void> {
  const lost = apps.map(() => false);
  const stops = apps.map((app, i) => app.onPatch((patch) => {
    if (patch.slice === 'connection' && patch.value.phase !== 'connected') lost[i] = true;
  }));
  try {
    controls.dropAllConnections();
    await waitFor('every client saw the drop and is back', () => lost.every(Boolean) && apps.every((app) => connected(app)), 30_000);
  } finally {
    for (const stop of stops) stop();
  }
}

/** Sends once the client is back (an intent sent while it reconnects is refused `not_connected`). */
async function sendWhenConnected(send: () => Promise<void>): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    try {
      return await send();
    } catch (error) {
      if (Date.now() > until || !(error instanceof IntentError) || error.code !== 'not_connected') throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('custom battles in Chromium on local play', () => {
  it('browses, creates a lobby with a NullAI bot, moves team and back, chats with bob, starts, sees the battle run and end, and leaves', async () => {
    const { page, bob, alice } = await openLocalPlay();

    // Browse: bob's lobby is listed, with its map and one player of two.
    await page.getByTestId('nav-lobbies').click();
    const bobsRow = page.getByTestId('lobby-row').filter({ hasText: 'Bobs room' });
    await bobsRow.waitFor();
    expect(await bobsRow.getByTestId('lobby-map').textContent()).toContain(TEST_MAP_NAME);
    expect(await bobsRow.getByTestId('lobby-players').textContent()).toMatch(/1\s*\/\s*2/);

    // Create: two sides of two, so alice can move to the bot's side and back.
    await page.getByTestId('create-name').fill('Evening skirmish');
    await page.getByTestId('create-map').fill(TEST_MAP_NAME);
    await page.getByTestId('create-team-size').fill('2');
    await shot(page, 'lobbies-local');
    await page.getByTestId('create-submit').click();
    await page.getByTestId('room-name').filter({ hasText: 'Evening skirmish' }).waitFor();
    expect(await page.getByTestId('room-boss').textContent()).toContain('you are boss');
    // The list is no longer on screen, so it is no longer watched.
    await waitFor('alice unwatched the list', () => !alice().snapshot().lobbies.watching, 20_000);

    // A NullAI bot on the other side, from the AIs alice's engine has installed.
    const side = (allyTeam: string) => page.locator(`[data-test="room-team"][data-ally-team="${allyTeam}"]`);
    await side('1').getByTestId('team-add-bot').click();
    await page.getByTestId('bot-ai').selectOption('NullAI');
    await page.getByTestId('bot-save').click();
    await side('1').getByTestId('member-bot').filter({ hasText: 'NullAI' }).waitFor();
    expect(await side('0').getByTestId('member-bot').count()).toBe(0);

    // Move to the bot's side and back.
    const aliceId = alice().snapshot().self?.userId ?? '';
    await side('1').getByTestId('team-join').click();
    await side('1').locator(`[data-id="${aliceId}"]`).waitFor();
    expect(await side('0').locator(`[data-id="${aliceId}"]`).count()).toBe(0);
    await side('0').getByTestId('team-join').click();
    await side('0').locator(`[data-id="${aliceId}"]`).waitFor();
    expect(await side('1').locator(`[data-id="${aliceId}"]`).count()).toBe(0);
    await page.getByTestId('room-ready').click();
    await page.getByTestId('room-ready').filter({ hasText: 'Ready ✓' }).waitFor();

    // Bob finds alice's lobby in his list and joins it: he shows up among the spectators.
    await bob.intents.leaveLobby();
    await bob.intents.watchLobbies();
    await waitFor("bob lists alice's lobby", () => Object.values(bob.snapshot().lobbies.entries).some((e) => e.name === 'Evening skirmish'), 20_000);
    const alicesLobby = Object.values(bob.snapshot().lobbies.entries).find((e) => e.name === 'Evening skirmish')!;
    await bob.intents.joinLobby({ lobbyId: alicesLobby.id });
    await page.getByTestId('spectator').filter({ hasText: 'bob' }).waitFor();

    // Lobby chat both ways.
    await page.getByTestId('chat-input').fill('gl hf');
    await page.getByTestId('chat-input').press('Enter');
    await page.getByTestId('message-text').filter({ hasText: 'gl hf' }).waitFor();
    await waitFor('bob got the line', () => bob.snapshot().chat.some((l) => l.text === 'gl hf' && l.channel.type === 'lobby'), 20_000);
    await bob.intents.sendChat({ type: 'lobby' }, 'have fun, I will watch the next one');
    await page.getByTestId('message-text').filter({ hasText: 'have fun, I will watch the next one' }).waitFor();
    expect(await page.getByTestId('message-text').allTextContents()).toEqual(['gl hf', 'have fun, I will watch the next one']);
    await shot(page, 'lobby-room-local');
    await bob.intents.leaveLobby();
    await page.getByTestId('spectator').filter({ hasText: 'bob' }).waitFor({ state: 'detached' });

    // Start: the local autohost hosts it, alice's engine launches and runs, the room shows the battle.
    await page.getByTestId('room-start').click();
    await page.getByTestId('room-battle').waitFor({ timeout: 30_000 });
    await page.getByTestId('room-in-battle').filter({ hasText: 'You are in it' }).waitFor({ timeout: 30_000 });
    await shot(page, 'lobby-room-battle-local');
    await page.getByTestId('nav-battle').click();
    await page.getByTestId('engine-status').filter({ hasText: 'running' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('battle').textContent()).toContain(TEST_MAP_NAME);
    await expect.poll(() => page.getByTestId('battle-events').textContent(), { timeout: 60_000 }).toContain('alice joined');
    await expect.poll(() => page.getByTestId('battle-outcome').textContent(), { timeout: 60_000 }).toBe('In progress');
    await shot(page, 'lobby-battle-local');
    // The game ends itself: the result, the engine stopped, and the lobby is told its battle is over.
    await expect.poll(() => page.getByTestId('battle-outcome').textContent(), { timeout: 60_000 }).toMatch(/^Finished — Team \d won/);
    await page.getByTestId('engine-status').filter({ hasText: 'offline' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('engine-exit').textContent()).toBe('0');
    await page.getByTestId('nav-lobbies').click();
    await page.getByTestId('room-name').filter({ hasText: 'Evening skirmish' }).waitFor();
    await page.getByTestId('room-battle').waitFor({ state: 'detached', timeout: 60_000 });

    // Leave: the list is back, watched again, and alice's lobby (empty now) is gone from it.
    await page.getByTestId('room-leave').click();
    await page.getByTestId('create-lobby').waitFor();
    await waitFor('alice watches the list again', () => alice().snapshot().lobbies.watching, 20_000);
    expect(await page.getByTestId('lobby-row').filter({ hasText: 'Evening skirmish' }).count()).toBe(0);
  }, 240_000);

  it('joins a lobby from the list and leaves it; keeps the list and the room right across a server drop: the same lobby, team, bot, spectator and chat, nothing doubled', async () => {
    const { page, bob, alice, controls } = await openLocalPlay();
    await page.getByTestId('nav-lobbies').click();
    const bobsRow = page.getByTestId('lobby-row').filter({ hasText: 'Bobs room' });
    await bobsRow.waitFor();
    // The list is subscribed again on the new session.
    await dropAndWaitBack(controls, [alice(), bob]);
    await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    // The drop marked the list not loaded; loaded again means the new session's listReset came in.
    await waitFor('alice watches the list again', () => alice().snapshot().lobbies.watching && alice().snapshot().lobbies.loaded, 20_000);
    await bobsRow.waitFor();
    expect(await page.getByTestId('lobby-row').count()).toBe(1);

    // Join bob's lobby from the list: alice comes in as a spectator and sees bob by name on his team; then she leaves.
    await bobsRow.getByTestId('lobby-join').click();
    await page.getByTestId('room-name').filter({ hasText: 'Bobs room' }).waitFor();
    await page.getByTestId('member-player').filter({ hasText: 'bob' }).waitFor();
    await page.getByTestId('spectator').filter({ hasText: 'alice' }).waitFor();
    expect(await page.getByTestId('room-boss').count()).toBe(0);
    await page.getByTestId('room-leave').click();
    await bobsRow.waitFor();

    await page.getByTestId('create-name').fill('Night skirmish');
    await page.getByTestId('create-map').fill(TEST_MAP_NAME);
    await page.getByTestId('create-submit').click();
    await page.getByTestId('room-name').filter({ hasText: 'Night skirmish' }).waitFor();
    const side = (allyTeam: string) => page.locator(`[data-test="room-team"][data-ally-team="${allyTeam}"]`);
    await side('1').getByTestId('team-add-bot').click();
    await page.getByTestId('bot-ai').selectOption('NullAI');
    await page.getByTestId('bot-save').click();
    await side('1').getByTestId('member-bot').filter({ hasText: 'NullAI' }).waitFor();
    const lobbyId = alice().snapshot().lobby?.id ?? '';
    await bob.intents.leaveLobby();
    await bob.intents.joinLobby({ lobbyId });
    await page.getByTestId('spectator').filter({ hasText: 'bob' }).waitFor();
    await page.getByTestId('chat-input').fill('before the drop');
    await page.getByTestId('chat-input').press('Enter');
    await page.getByTestId('message-text').filter({ hasText: 'before the drop' }).waitFor();

    await dropAndWaitBack(controls, [alice(), bob]);
    await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    // Both are still in the lobby (the server keeps a dropped member's place): the room is the same, restored from the server.
    await waitFor("alice's room restored", () => alice().snapshot().lobby?.id === lobbyId && alice().snapshot().lobby?.spectators[bob.snapshot().self?.userId ?? ''] !== undefined, 20_000);
    await page.getByTestId('room-name').filter({ hasText: 'Night skirmish' }).waitFor();
    await side('1').getByTestId('member-bot').filter({ hasText: 'NullAI' }).waitFor();
    await side('0').locator(`[data-id="${alice().snapshot().self?.userId ?? ''}"]`).waitFor();
    await page.getByTestId('spectator').filter({ hasText: 'bob' }).waitFor();
    await sendWhenConnected(() => bob.intents.sendChat({ type: 'lobby' }, 'after the drop'));
    await page.getByTestId('message-text').filter({ hasText: 'after the drop' }).waitFor();
    expect(await page.getByTestId('message-text').allTextContents()).toEqual(['before the drop', 'after the drop']);
    await expect.poll(() => page.getByTestId('topbar-user-count').textContent(), { timeout: 10_000 }).toBe('2');
    await shot(page, 'lobby-room-reconnected-local');

    await page.getByTestId('room-leave').click();
    await page.getByTestId('create-lobby').waitFor();
    await waitFor('alice out of the lobby', () => alice().snapshot().lobby === null, 20_000);
  }, 120_000);
});
