// Downloads in Debian's Chromium against the real core through the browser bridge: queueing for a playlist whose game
// is only on the local content server shows the queue-ready line on Play and the item on Downloads (bytes, why), queues
// once it is verified, and the Library lists the game with its size and deletes it after a confirm.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCREENSHOTS, useBrowserSuite } from '../support/e2e-page';
import { poolUrlPath } from '../content/fixtures';
import { DUEL_GAME as GAME, duelDownloadService } from './duel-download-service';

const suite = useBrowserSuite();

describe('Downloads in Chromium', () => {
  it('shows a queue-ready download on Play and Downloads, queues once it is verified, and the Library deletes the game', async () => {
    // A duel with nobody else queued: the player stays queued, so the views stay in sight.
    const { content, service, downloads } = await duelDownloadService(suite);
    const page = await suite.openPage(service);

    const [firstPool] = [...content.v1.pool.keys()];
    const held = poolUrlPath('byar', firstPool!);
    content.server.faults.held.add(held);
    await page.getByTestId('playlist-1v1').click();
    await page.getByTestId('queue').click();
    await content.server.waitHeld(held);
    const line = page.getByTestId('queue-ready');
    await expect.poll(() => line.textContent()).toMatch(new RegExp(`^Downloading game "${GAME}" for playlist Duel: .* of .*\\. You are queued once it is here\\.$`));
    expect(await page.getByTestId('mm-phase').textContent()).toContain('idle');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'downloads-play-queue-ready.png'), fullPage: true });

    await page.getByTestId('nav-downloads').click();
    const row = page.getByTestId('download-d1');
    expect(await row.getByTestId('download-name').textContent()).toBe(GAME);
    expect(await row.getByTestId('download-why').textContent()).toBe('for playlist Duel');
    expect(await row.getByTestId('download-state').textContent()).toContain('downloading');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'downloads-running.png'), fullPage: true });
    content.server.faults.held.clear();
    content.server.release(held);
    await row.and(page.locator('[data-state="done"]')).waitFor({ timeout: 30_000 });
    const total = content.v1.files.reduce((s, f) => s + f.size, 0);
    expect(await row.getByTestId('download-bytes').textContent()).toBe(`${total} B of ${total} B`);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'downloads-done.png'), fullPage: true });

    await page.getByTestId('nav-play').click();
    await page.getByTestId('mm-phase').filter({ hasText: 'queued' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('queue-ready').count()).toBe(0);
    await page.getByTestId('leave-queue').click();

    await page.getByTestId('nav-library').click();
    const game = page.getByTestId('library-list').locator('li', { hasText: GAME });
    await game.waitFor();
    expect(await game.getByTestId('library-bytes').textContent()).toMatch(/^\d+(\.\d)? (B|kB)$/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'library.png'), fullPage: true });
    await game.getByTestId('library-delete').click();
    await game.getByTestId('library-delete-confirm').click();
    await expect.poll(() => page.getByTestId('library-list').locator('li', { hasText: GAME }).count()).toBe(0);
    expect(await readdir(path.join(downloads, 'packages'))).toEqual([]);
  }, 90_000);
});
