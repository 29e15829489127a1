// The People view's user list in Debian's Chromium through the browser bridge, with 10,000 users known: the DOM holds about
// a screenful of rows however long the list, scrolling shows the right users in display order (without the player), and
// patches (a status change, a rename, users leaving), the search and the end of the list all show what the store holds.
// A stand-in service publishes the snapshot and the patches the core would (no server makes 10,000 users known to one
// player here); it proves the page's side of the list.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { LobbyService } from '../../src-main/app/lobby-service';
import type { AppPatch, AppSnapshot, PatchMessage, UserView } from '../../src-main/contract';
import { initialSnapshot } from '../../src-main/core/lobby/state';
import { useBrowserSuite } from '../support/e2e-page';

const SERVER = 'http://127.0.0.1:1';
const USERS = 10_000;
const SELF = 'u5000';
/** PeopleView.vue's fixed row height. */
const ROW_HEIGHT = 44;

const user = (i: number, status: UserView['status'] = 'menu'): UserView =>
  ({ userId: `u${i}`, username: `player${i}`, displayName: `Player ${String(i).padStart(5, '0')}`, clanId: null, status });
const name = (i: number) => user(i).displayName;

function standInService(): LobbyService & { emit(patch: AppPatch): void } {
  const listeners = new Set<(message: PatchMessage) => void>();
  let seq = 0;
  const snapshot: AppSnapshot = {
    ...initialSnapshot(SERVER),
    connection: { serverUrl: SERVER, phase: 'connected', versionParity: 'match', protocol: 'tachyon-current' },
    self: { userId: SELF, username: 'player5000', displayName: name(5000), status: 'menu' },
    users: Object.fromEntries(Array.from({ length: USERS }, (_, i) => [`u${i}`, user(i)])),
    settings: { serverUrl: SERVER, enginePaths: [], dataDir: null },
    servers: { current: SERVER, profiles: [{ id: SERVER, kind: 'remote', url: SERVER, label: 'Stand-in', signedIn: true }] },
    session: { state: 'signed_in', server: SERVER },
  };
  return {
    emit(patch) {
      seq += 1;
      for (const listener of listeners) listener({ seq, patch });
    },
    onPatch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
    async invoke(name) {
      if (name === 'snapshot') return { ok: true, value: { seq, state: snapshot } };
      return { ok: true, value: null };
    },
  };
}

/** The names of the rows inside the scroller's visible box, top to bottom, and how many rows the list holds in the DOM. */
async function onScreen(page: Page): Promise<{ names: string[]; rows: number; viewport: number }> {
  // A string: the test files are typed without the DOM (the page runs it).
  return page.evaluate<{ names: string[]; rows: number; viewport: number }>(`(() => {
    const scroller = document.querySelector('[data-test="user-scroller"]');
    const box = scroller.getBoundingClientRect();
    const rows = [...document.querySelectorAll('[data-test="user-list"] li')];
    const names = rows
      .filter((row) => {
        const r = row.getBoundingClientRect();
        return r.bottom > box.top + 1 && r.top < box.bottom - 1;
      })
      .map((row) => row.querySelector('[data-test="user-name"]')?.textContent ?? '');
    return { names, rows: rows.length, viewport: scroller.clientHeight };
  })()`);
}

async function scrollTo(page: Page, top: number): Promise<void> {
  await page.getByTestId('user-scroller').evaluate((scroller, to) => scroller.scrollTo({ top: to }), top);
}

const suite = useBrowserSuite({ launchTimeoutMs: 90_000 });

async function openPeople(service: LobbyService): Promise<Page> {
  // The stand-in holds no sockets or files: nothing to close.
  const page = await suite.openPage(service, { timeoutMs: 10_000, closeService: false });
  await page.getByTestId('nav-people').click();
  await page.getByTestId('user-total').filter({ hasText: `${USERS - 1} listed` }).waitFor();
  return page;
}

describe('People list in Chromium with 10,000 users', () => {
  it('holds a screenful of rows, and scrolling shows the right users in order, without the player', async () => {
    const page = await openPeople(standInService());
    const top = await onScreen(page);
    const screenful = Math.ceil(top.viewport / ROW_HEIGHT);
    expect(screenful).toBeGreaterThan(3);
    // A screenful and a few rows either side (PeopleView's overscan), never the 9,999 users listed.
    expect(top.rows).toBeGreaterThanOrEqual(screenful);
    expect(top.rows).toBeLessThanOrEqual(screenful + 2 * 4 + 1);
    expect(top.names.slice(0, 3)).toEqual([name(0), name(1), name(2)]);

    // Position 4,998 on: the player (u5000) is not listed, so the list goes from Player 04999 straight to Player 05001.
    await scrollTo(page, 4_998 * ROW_HEIGHT);
    await page.getByTestId('user-u5001').waitFor();
    const middle = await onScreen(page);
    const expected = [4_998, 4_999, ...Array.from({ length: 40 }, (_, k) => 5_001 + k)].slice(0, middle.names.length).map(name);
    expect(middle.names).toEqual(expected);
    expect(middle.rows).toBeLessThanOrEqual(screenful + 2 * 4 + 1);
    expect(await page.getByTestId('user-u5000').count()).toBe(0);

    // The end of the list: its last user is the last row on screen.
    await scrollTo(page, USERS * ROW_HEIGHT);
    await page.getByTestId('user-u9999').waitFor();
    const end = await onScreen(page);
    expect(end.names.at(-1)).toBe(name(9_999));
    expect(end.names).toEqual(Array.from({ length: end.names.length }, (_, k) => name(9_999 - end.names.length + 1 + k)));
  }, 60_000);

  it('shows patches on the rows on screen, and searches the whole list', async () => {
    const service = standInService();
    const page = await openPeople(service);
    // A status change of a user on screen, and of one far below it, in one patch of 1,000 users.
    service.emit({ slice: 'users', upsert: Array.from({ length: 1_000 }, (_, k) => user(k * 10 === 5000 ? 1 : k * 10, 'playing')), remove: [] });
    await expect.poll(() => page.getByTestId('user-u0').textContent()).toContain('Playing');
    expect(await page.getByTestId('user-u1').textContent()).toContain('Playing');
    expect(await page.getByTestId('user-u2').textContent()).toContain('In menu');

    // A rename moves a user to their new place; those who leave go from the list and from the count.
    service.emit({ slice: 'users', upsert: [{ ...user(7_777), displayName: 'Aaron' }], remove: ['u0', 'u1'] });
    await page.getByTestId('user-total').filter({ hasText: `${USERS - 3} listed` }).waitFor();
    expect((await onScreen(page)).names.slice(0, 3)).toEqual(['Aaron', name(2), name(3)]);

    // The search covers every user, not only those rendered: by display name, then by username.
    await page.getByTestId('people-search').fill('Player 0123');
    await page.getByTestId('user-total').filter({ hasText: '10 found' }).waitFor();
    expect((await onScreen(page)).names).toEqual(Array.from({ length: 10 }, (_, k) => name(1_230 + k)));
    await page.getByTestId('people-search').fill('player9998');
    await page.getByTestId('user-total').filter({ hasText: '1 found' }).waitFor();
    expect((await onScreen(page)).names).toEqual([name(9_998)]);
    // A search from far down the list starts at its first match.
    await page.getByTestId('people-search').fill('');
    await scrollTo(page, 9_000 * ROW_HEIGHT);
    await page.getByTestId('user-u9002').waitFor();
    await page.getByTestId('people-search').fill('aar');
    await page.getByTestId('user-total').filter({ hasText: '1 found' }).waitFor();
    expect((await onScreen(page)).names).toEqual(['Aaron']);
  }, 60_000);
});
