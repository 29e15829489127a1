// The renderer in Debian's Chromium against the real core and the real test server, through the browser bridge: no mocked stores.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import { IntentError } from '../../src-main/core/lobby/intents';
import { createMemoryLogger } from '../../src-main/core/log';
import type { PlaylistConfig } from '../../src-main/core/server/matchmaking';
import { createLobbyService, type LobbyService } from '../../src-main/app/lobby-service';
import { createMemorySettingsStore } from '../../src-main/app/settings';
import { appEngineOptions, contentDirOf, createLobbyFactory } from '../../src-main/app/lobby-factory';
import { TEST_CHAT_LINE, TEST_GAME_NAME, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import type { BattleUpdateView } from '../../src-main/contract';
import type { PlayerEngineOptions } from '../../src-main/core/player-engine';
import { connected, createWorld, waitFor, type World } from '../support/world';
import { startRealHost } from '../engine/real-host';
import { launchRendererBrowser, type BrowserWorld } from '../support/browser';
import { BROWSER_SHIM, startBridge, type Bridge } from './bridge/bridge-server';
import { createFixedTokenSignIn } from '../support/fixed-sign-in';
import { engineDescendants, processRunning } from '../support/processes';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots');
const duel: PlaylistConfig = { id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: 'Tachyon Test Game', map: 'Tachyon Test Map' };

let browser: BrowserWorld | undefined;
let rendererDir: string;
let context: BrowserContext;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchRendererBrowser({ initScript: BROWSER_SHIM });
  ({ rendererDir, context } = browser);
}, 60_000);

afterAll(async () => {
  // Every engine this file started (client and host) is gone: nothing is left running for the next suite.
  expect(engineDescendants()).toEqual([]);
  await browser?.dispose();
});

interface Scene {
  world: World;
  page: Page;
  alice: { userId: string };
  /** Console errors and page errors (a CSP violation shows up here). */
  problems: string[];
  /** Alice's data dir (content in `<dataDir>/content` when the engine is wired). */
  dataDir: string;
  /** Alice's core (the lobby behind the page). */
  app(): CoreLobbyApp;
}

let scene: Scene | null = null;
let cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
  const problems = scene?.problems ?? [];
  scene = null;
  expect(problems).toEqual([]);
});

/**
 * One world per test: a server, alice in the browser (through the bridge) and whoever else the test adds in Node.
 * `engine: true` wires alice's real engine as the app does (headless binary, test content in `<dataDir>/content`);
 * the matchmaking tests leave it out so a fake battle address never spawns a 1.3 GB engine that has nowhere to go.
 */
async function openLobby(options: { readyTimeoutMs?: number; aliceDisplayName?: string; engine?: boolean } = {}): Promise<Scene> {
  const world = await createWorld({
    playlists: [duel],
    readyTimeoutMs: options.readyTimeoutMs ?? 10_000,
    launcher: { launch: async () => ({ ip: '127.0.0.1', port: 8452 }) },
  });
  cleanup.push(() => world.dispose());
  const { userId, token } = world.server.addPlayer('alice', options.aliceDisplayName ? { displayName: options.aliceDisplayName } : undefined);
  const logger = createMemoryLogger();
  const dataDir = world.tempDir();
  let aliceApp: CoreLobbyApp | null = null;
  if (options.engine) await writeTestContent(contentDirOf(dataDir), { gameOverFrame: 30 * 600 });
  const service: LobbyService = await createLobbyService({
    settings: createMemorySettingsStore({ serverUrl: world.server.baseUrl }),
    auth: createFixedTokenSignIn(),
    createApp: async (settings) =>
      (aliceApp = createLobbyApp({
        serverUrl: settings.serverUrl ?? world.server.baseUrl,
        getToken: () => token,
        dataDir,
        logger,
        statsIntervalMs: 300,
        connection: { backoff: { baseMs: 50, capMs: 500 } },
        ...(options.engine
          ? { engine: testEngine(appEngineOptions({ enginePaths: settings.enginePaths, dataDir: settings.dataDir ?? dataDir, binary: 'headless', statsIntervalMs: 300 })) }
          : { onBattleStart: async () => {} }),
      })),
    logError: (m) => logger.error(m),
  });
  const { page, problems } = await openPage(service);
  scene = { world, page, alice: { userId }, problems, dataDir, app: () => aliceApp as unknown as CoreLobbyApp };
  return scene;
}

/** The page on a lobby service, through the bridge, connected; its console errors collected. */
async function openPage(service: LobbyService): Promise<{ page: Page; problems: string[] }> {
  const bridge: Bridge = await startBridge(rendererDir, service);
  cleanup.push(() => service.close());
  cleanup.push(() => bridge.close());
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  cleanup.push(() => page.close());
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(bridge.url);
  await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
  return { page, problems };
}

async function player(world: World, name: string) {
  const p = await world.player(name);
  await waitFor(`${name} connected`, () => connected(p.app));
  return p;
}

async function sendWhenConnected(send: () => Promise<void>): Promise<void> {
  const until = Date.now() + 8_000;
  for (;;) {
    try {
      return await send();
    } catch (error) {
      if (Date.now() > until || !(error instanceof IntentError) || error.code !== 'not_connected') throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The app's engine wiring with a short SIGTERM → SIGKILL grace, so a failed test's teardown never waits 20 s on an engine. */
function testEngine(options: PlayerEngineOptions): PlayerEngineOptions {
  return { ...options, runner: { ...options.runner, stopGraceMs: 5_000 } };
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

describe('lobby in Chromium', () => {
  it('connects and shows the server user count change', async () => {
    const { world, page } = await openLobby();
    await page.getByTestId('nav-server').click();
    await expect.poll(() => page.getByTestId('user-count').textContent()).toBe('1');
    await player(world, 'bob');
    await player(world, 'carol');
    await expect.poll(() => page.getByTestId('user-count').textContent(), { timeout: 5_000 }).toBe('3');
    await expect.poll(() => page.getByTestId('topbar-user-count').textContent()).toBe('3');
    await expect.poll(async () => Number((await page.locator('figcaption').textContent())?.match(/(\d+) samples/)?.[1] ?? 0)).toBeGreaterThan(2);
    await shot(page, 'server');
  });

  it('queues, gets a match and readies before the countdown ends', async () => {
    const { world, page } = await openLobby();
    const bob = await player(world, 'bob');
    await page.getByTestId('playlist-1v1').click();
    await shot(page, 'play');
    await page.getByTestId('queue').click();
    await expect.poll(() => page.getByTestId('mm-phase').textContent()).toContain('queued');
    await bob.app.intents.queue(['1v1']);
    const dialog = page.getByTestId('match-found');
    await dialog.waitFor();
    expect(await page.getByTestId('match-found-playlist').textContent()).toBe('Duel');
    const countdown = Number(await page.getByTestId('countdown').textContent());
    // Counted down from the server's timeoutMs (10 s here), not from a number of the app's own.
    expect(countdown).toBeGreaterThan(5);
    expect(countdown).toBeLessThanOrEqual(10);
    await bob.app.intents.ready();
    await expect.poll(() => page.getByTestId('ready-tally').getAttribute('aria-label')).toBe('1 of 2 players ready');
    await shot(page, 'match-found');
    // Enter on the focused Ready button: the prompt works from the keyboard.
    expect(await page.evaluate('document.activeElement?.getAttribute("data-test")')).toBe('ready');
    await page.keyboard.press('Enter');
    await waitFor('battle', () => bob.app.snapshot().matchmaking.phase === 'battle', 8_000);
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('nav-battle').click();
    await expect.poll(() => page.getByTestId('battle').textContent()).toContain('Tachyon Test Map');
    await shot(page, 'battle');
  });

  it('tells a lost match in words, then finds one again', async () => {
    const { world, page } = await openLobby({ readyTimeoutMs: 1_500 });
    const bob = await player(world, 'bob');
    await page.getByTestId('playlist-1v1').click();
    await page.getByTestId('queue').click();
    await bob.app.intents.queue(['1v1']);
    await page.getByTestId('match-found').waitFor();
    await page.getByTestId('ready').click();
    // Bob never readies: alice is told the match fell through and stays queued.
    await expect.poll(() => page.getByTestId('mm-words').textContent(), { timeout: 5_000 }).toContain('fell through');
    await page.getByTestId('match-found').waitFor({ state: 'hidden' });
    await shot(page, 'match-lost');
    await waitFor('bob cancelled', () => bob.app.snapshot().matchmaking.phase === 'cancelled');
    await bob.app.intents.queue(['1v1']);
    await page.getByTestId('match-found').waitFor();
    expect(Number(await page.getByTestId('countdown').textContent())).toBeGreaterThan(0);
  });

  it('chats both ways, also after the server drops everyone, with nothing doubled', async () => {
    const { world, page, alice } = await openLobby();
    const bob = await world.player('bob');
    await waitFor('bob connected', () => connected(bob.app));
    await bob.app.intents.sendChat({ type: 'player', userId: alice.userId }, 'glhf, want a duel?');
    // Away from Chat, a new message shows on its nav button; opening the conversation clears it.
    await expect.poll(() => page.getByTestId('badge-chat').textContent(), { timeout: 5_000 }).toBe('1');
    await page.getByTestId('nav-chat').click();
    await page.getByTestId(`thread-player:${bob.userId}`).click();
    await expect.poll(() => page.getByTestId('message-text').allTextContents()).toEqual(['glhf, want a duel?']);
    expect(await page.getByTestId('badge-chat').count()).toBe(0);
    await page.getByTestId('chat-input').fill('sure, queue up');
    await page.getByTestId('chat-input').press('Enter');
    await waitFor('bob got the reply', () => bob.app.snapshot().chat.some((l) => l.text === 'sure, queue up'));
    // A message in another conversation while this one is open: counted on that conversation, until it is opened.
    const carol = await world.player('carol');
    await waitFor('carol connected', () => connected(carol.app));
    await carol.app.intents.sendChat({ type: 'player', userId: alice.userId }, 'anyone for 2v2?');
    await expect.poll(() => page.getByTestId(`unread-player:${carol.userId}`).textContent(), { timeout: 5_000 }).toBe('1');
    expect(await page.getByTestId('badge-chat').textContent()).toBe('1');
    await shot(page, 'chat-unread');
    await page.getByTestId(`thread-player:${carol.userId}`).click();
    await expect.poll(() => page.getByTestId('message-text').allTextContents()).toEqual(['anyone for 2v2?']);
    expect(await page.getByTestId(`unread-player:${carol.userId}`).count()).toBe(0);
    await page.getByTestId(`thread-player:${bob.userId}`).click();

    world.controls.dropAllConnections();
    // Both reconnect on their own; bob's send is retried until his client is back.
    await sendWhenConnected(() => bob.app.intents.sendChat({ type: 'player', userId: alice.userId }, 'back again'));
    await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
    await expect.poll(() => page.getByTestId('message-text').allTextContents(), { timeout: 5_000 }).toEqual(['glhf, want a duel?', 'sure, queue up', 'back again']);
    await page.getByTestId('chat-input').fill('x'.repeat(2_000));
    await page.getByTestId('chat-send').click();
    await expect.poll(() => page.getByTestId('chat-error').textContent()).toMatch(/too long/);
    await shot(page, 'chat');
    await page.getByTestId('chat-input').fill('still here');
    await page.getByTestId('chat-send').click();
    await waitFor('bob got it after the drop', () => bob.app.snapshot().chat.some((l) => l.text === 'still here'));
    await expect.poll(() => page.getByTestId('message-text').allTextContents()).toContain('still here');
  });

  it('shows a real engine starting, running with live stats and console, and stopped from the panel', async () => {
    const { world, page, alice, dataDir } = await openLobby({ engine: true });
    const version = '106.0';
    const host = await startRealHost(path.join(dataDir, 'host'), contentDirOf(dataDir), {
      battleId: randomUUID(),
      engineVersion: version,
      gameName: TEST_GAME_NAME,
      mapName: TEST_MAP_NAME,
      startPosType: 'fixed',
      allyTeams: [
        { teams: [{ players: [{ userId: alice.userId, name: 'alice', password: 'hunter2' }] }] },
        { teams: [{ bots: [{ hostUserId: alice.userId, aiShortName: 'NullAI', name: 'Bot' }] }] },
      ],
    });
    cleanup.push(() => host.stop());
    await page.getByTestId('nav-battle').click();
    // Every status the panel shows, in order, as the page saw it (not sampled by polling).
    await page.evaluate(`(() => {
      const el = document.querySelector('[data-test="engine-status"]');
      window.__statuses = [el.textContent.trim()];
      new MutationObserver(() => {
        const text = el.textContent.trim();
        if (window.__statuses.at(-1) !== text) window.__statuses.push(text);
      }).observe(el, { subtree: true, childList: true, characterData: true });
    })()`);
    const response = await world.controls.request(alice.userId, 'battle/start', {
      username: 'alice', password: 'hunter2', ip: '127.0.0.1', port: host.port,
      engine: { version }, game: { springName: TEST_GAME_NAME }, map: { springName: TEST_MAP_NAME },
    });
    expect(response).toMatchObject({ status: 'success' });
    await page.getByTestId('engine-status').filter({ hasText: 'running' }).waitFor({ timeout: 20_000 });
    const pid = Number(await page.getByTestId('engine-pid').textContent());
    expect(pid).toBeGreaterThan(1);
    // The pid shown is the real engine process (its main thread calls itself spring-main), a child of this test's core.
    expect(engineDescendants().map((p) => p.split(' ')[0])).toContain(String(pid));
    await expect.poll(() => page.getByTestId('engine-cpu').textContent(), { timeout: 5_000 }).toMatch(/^\d+(\.\d)? %$/);
    await expect.poll(() => page.getByTestId('engine-memory').textContent(), { timeout: 5_000 }).toMatch(/^\d+ MB$/);
    await expect.poll(() => page.getByTestId('engine-uptime').textContent()).toMatch(/^\d+:\d\d$/);
    const consoleNow = async () => (await page.getByTestId('engine-console').textContent()) ?? '';
    const consoleWhenRunning = await consoleNow();
    await waitFor('alice in game', () => host.events.some((e) => e.type === 'player_joined'), 30_000);
    // Live: lines keep arriving while the engine joins and loads, without a reload (compared as text: the console is a bounded ring).
    await expect.poll(consoleNow, { timeout: 5_000 }).not.toBe(consoleWhenRunning);
    const consoleText = (await page.getByTestId('engine-console').textContent()) ?? '';
    expect(consoleText).not.toContain('hunter2');
    expect(await page.getByTestId('battle').textContent()).toContain(TEST_MAP_NAME);
    expect(await page.locator('main').textContent()).not.toContain('hunter2');
    await shot(page, 'engine-running');

    await page.getByTestId('engine-stop').click();
    await page.getByTestId('engine-status').filter({ hasText: 'offline' }).waitFor({ timeout: 25_000 });
    expect(await page.evaluate('window.__statuses')).toEqual(expect.arrayContaining(['starting', 'running', 'offline']));
    const statuses = (await page.evaluate('window.__statuses')) as string[];
    expect(statuses.indexOf('starting')).toBeLessThan(statuses.indexOf('running'));
    expect(statuses.lastIndexOf('offline')).toBeGreaterThan(statuses.indexOf('running'));
    expect(await page.getByTestId('engine-pid').textContent()).toBe('—');
    // SIGTERM ended the process itself: nothing is left running under that pid.
    expect(processRunning(pid)).toBe(false);
    // Only the host is left (comm names are cut at 15 characters); it stops in the test's cleanup.
    expect(engineDescendants().filter((p) => !p.endsWith(' spring-dedicate'))).toEqual([]);
    await shot(page, 'engine-stopped');
  }, 60_000);

  it('explains a launch that fails for a missing map', async () => {
    const { world, page, alice } = await openLobby({ engine: true });
    await page.getByTestId('nav-battle').click();
    const response = await world.controls.request(alice.userId, 'battle/start', {
      username: 'alice', password: 'pw', ip: '127.0.0.1', port: 8452,
      engine: { version: '106.0' }, game: { springName: TEST_GAME_NAME }, map: { springName: 'No Such Map 1.0' },
    });
    expect(response).toMatchObject({ status: 'failed' });
    await page.getByTestId('battle-phase').filter({ hasText: 'failed' }).waitFor();
    await expect.poll(() => page.getByTestId('battle-message').textContent()).toMatch(/No Such Map 1\.0/);
    expect(await page.getByTestId('engine-status').textContent()).toContain('offline');
    await shot(page, 'engine-missing-map');
  });

  it('shows a hosted battle from its updates: roster, chat, defeat, result', async () => {
    // Until the local autohost feeds the battleUpdates slice, the updates enter through the core store's own publish.
    const { page, app, alice } = await openLobby();
    await page.getByTestId('nav-battle').click();
    expect(await page.getByTestId('battle-updates').count()).toBe(0);
    const battleId = randomUUID();
    let at = Date.now() - 60_000;
    const up = (type: BattleUpdateView['type'], extra: Partial<BattleUpdateView> = {}): BattleUpdateView => ({ battleId, at: (at += 5_000), type, ...extra });
    const hostile = '<img src=x onerror="window.__pwned=1">gg';
    app().publish({ slice: 'battleUpdates', append: [up('player_joined', { userId: alice.userId }), up('player_joined', { userId: 'bot-1', name: 'Bot (NullAI)' }), up('start')] });
    await expect.poll(() => page.getByTestId('battle-outcome').textContent()).toBe('In progress');
    app().publish({
      slice: 'battleUpdates',
      append: [
        up('player_chat', { userId: alice.userId, message: hostile, destination: 'all' }),
        up('player_chat', { userId: alice.userId, message: 'push top', destination: 'allies' }),
        up('player_defeated', { userId: 'bot-1' }),
        up('finished', { userId: alice.userId, winningAllyTeams: [0] }),
      ],
    });
    await expect.poll(() => page.getByTestId('battle-outcome').textContent()).toBe('Finished — Team 1 won');
    expect(await page.getByTestId(`battle-player-${alice.userId}`).textContent()).toContain('alice');
    expect(await page.getByTestId('battle-player-bot-1').textContent()).toContain('defeated');
    expect(await page.getByTestId('battle-chat-text').allTextContents()).toEqual([hostile, 'push top']);
    expect(await page.getByTestId('battle-events').textContent()).toContain('alice to allies');
    expect(await page.getByTestId('battle-events').textContent()).toContain('Bot (NullAI) was defeated');
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await shot(page, 'battle-updates');
  });

  it('checks the address to add under its field in the Servers panel, the folders in the page and in main, then reconnects', async () => {
    const { world, page } = await openLobby();
    await page.getByTestId('nav-settings').click();
    // One place to choose the server: the Servers panel. The settings form keeps the folders only.
    await page.getByTestId('servers').waitFor();
    expect(await page.getByTestId('settings-server').count()).toBe(0);
    await page.getByTestId('add-server-url').fill('http://lobby.example');
    await page.getByTestId('add-server-url').press('Enter');
    await expect.poll(() => page.getByTestId('add-server-error').textContent()).toMatch(/only for this computer/);
    expect(await page.getByTestId('add-server-url').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate<string | null>('document.activeElement ? document.activeElement.getAttribute("data-test") : null')).toBe('add-server-url');
    // Nothing was sent: main would have answered (this lobby has no server list to add to) and the panel would show it.
    expect(await page.getByTestId('add-server-failed').count()).toBe(0);
    // The page lets a missing folder through (it cannot look); main refuses it in words and keeps the old settings.
    await page.getByTestId('settings-engines').fill('/definitely/not/an/engine');
    await page.getByTestId('settings-save').click();
    await expect.poll(() => page.getByTestId('settings-error').textContent()).toMatch(/does not exist/);
    expect(await page.getByTestId('settings-engines').inputValue()).toBe('/definitely/not/an/engine');
    await shot(page, 'settings-errors');
    // Fixing the address clears its error as the player types.
    await page.getByTestId('add-server-url').fill('http://localhost:8200');
    await expect.poll(() => page.getByTestId('add-server-error').count()).toBe(0);
    const dataDir = world.tempDir();
    await page.getByTestId('settings-engines').fill('');
    await page.getByTestId('settings-data-dir').fill(dataDir);
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-saved').waitFor();
    // The lobby behind the window was rebuilt with the saved settings and is connected again.
    await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
    expect(await page.getByTestId('settings-data-dir').inputValue()).toBe(dataDir);
  });

  it('plays against the AI on local play: the app factory, the local autohost, and the hosted battle in the Battle view', async () => {
    // Exactly the app's path with no server configured (startLocalPlay behind createLobbyFactory), with the headless engine.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lobby-e2e-local-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    // Content in the data dir's content folder, as a player would have it: local play offers it (a game over at frame 240).
    await writeTestContent(contentDirOf(dataDir), { gameOverFrame: 240 });
    const logger = createMemoryLogger();
    const service = await createLobbyService({
      settings: createMemorySettingsStore(),
      auth: createFixedTokenSignIn(),
      createApp: createLobbyFactory({
        defaultDataDir: dataDir,
        readToken: () => null,
        logger,
        localPlayerName: 'alice',
        engineBinary: 'headless',
        localPlay: { matchIntervalMs: 100, readyTimeoutMs: 10_000 },
        engine: { statsIntervalMs: 300, runner: { stopGraceMs: 5_000 } },
      }),
      logError: (m) => logger.error(m),
    });
    const { page, problems } = await openPage(service);
    scene = { problems } as unknown as Scene;
    await page.getByTestId('playlist-vs-ai').click();
    await page.getByTestId('queue').click();
    await page.getByTestId('match-found').waitFor({ timeout: 10_000 });
    await page.getByTestId('ready').click();
    await page.getByTestId('nav-battle').click();
    await page.getByTestId('engine-status').filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
    // The local autohost's updates reach the page through the core: alice is in the hosted battle, and it runs.
    await page.getByTestId('battle-updates').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('battle-events').textContent(), { timeout: 30_000 }).toContain('alice joined');
    await expect.poll(() => page.getByTestId('battle-outcome').textContent(), { timeout: 30_000 }).toBe('In progress');
    expect(await page.getByTestId('battle-players').textContent()).toContain('alice');
    await shot(page, 'local-play-battle');
    // The test game ends itself after a few seconds: the result, alice leaving and the host closing all show up.
    await expect.poll(() => page.getByTestId('battle-outcome').textContent(), { timeout: 30_000 }).toMatch(/^Finished — Team \d won/);
    await expect.poll(() => page.getByTestId('battle-events').textContent(), { timeout: 20_000 }).toContain('alice left the game');
    await expect.poll(() => page.getByTestId('battle-events').textContent(), { timeout: 20_000 }).toContain('The battle closed');
    await page.getByTestId('engine-status').filter({ hasText: 'offline' }).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('engine-exit').textContent()).toBe('0');
    expect(await page.getByTestId('battle-players').textContent()).toMatch(/alice\s*left the game/);
    // The test game says one line to all: the chat update, with its destination, as text.
    expect(await page.getByTestId('battle-chat-text').allTextContents()).toContain(TEST_CHAT_LINE);
    expect(await page.getByTestId('battle-events').textContent()).toContain('alice to all');
    await shot(page, 'local-play-finished');
  }, 90_000);

  it('renders a hostile username as text', async () => {
    const { world, page } = await openLobby();
    const hostile = '<img src=x onerror="window.__pwned=1"><b>Mallory</b>';
    const { token } = world.server.addPlayer('mallory', { displayName: hostile });
    const mallory = createLobbyApp({ serverUrl: world.server.baseUrl, getToken: () => token, dataDir: world.tempDir() });
    cleanup.push(() => mallory.close());
    await waitFor('mallory connected', () => connected(mallory));
    // Tachyon lists no strangers: mallory becomes known to alice by writing to her and asking to be friends.
    const { alice } = scene!;
    await mallory.intents.sendChat({ type: 'player', userId: alice.userId }, hostile);
    await mallory.intents.sendFriendRequest(alice.userId);
    await page.getByTestId('nav-people').click();
    await expect.poll(() => page.getByTestId('user-name').allTextContents(), { timeout: 5_000 }).toContain(hostile);
    expect(await page.locator('main img, main b').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await expect.poll(() => page.locator('main').textContent()).toContain(`${hostile}Accept`);
    await shot(page, 'people');
    await page.getByTestId('nav-chat').click();
    await expect.poll(() => page.getByTestId('message-text').allTextContents()).toEqual([hostile]);
    expect(await page.locator('main img, main b').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.getByTestId('nav-settings').click();
    await shot(page, 'settings');
  });
});
