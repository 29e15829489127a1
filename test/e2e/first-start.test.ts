// First start in Debian's Chromium against the real core through the browser bridge: with an empty data dir the lobby
// fetches the default playlist's game by itself, the Play view says what and for which playlist (bytes of total), the
// player queues meanwhile (the line turns into the queue-ready one), and is queued once the game is verified.
import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from '../support/e2e-page';
import { poolUrlPath } from '../content/fixtures';
import { DUEL_GAME as GAME, duelDownloadService } from './duel-download-service';

const suite = useBrowserSuite();

describe('First start in Chromium', () => {
  it('shows what the default playlist is getting before anything is asked, lets the player queue meanwhile, and queues once it is here', async () => {
    // Held halfway through a pool file from the start: the first-start download stays in sight.
    let held = '';
    const { content, service } = await duelDownloadService(suite, {
      fetchOnStart: true,
      beforeStart: (world) => {
        held = poolUrlPath('byar', [...world.v1.pool.keys()][0]!);
        world.server.faults.held.add(held);
      },
    });
    const page = await suite.openPage(service);
    await content.server.waitHeld(held);

    const line = page.getByTestId('first-start');
    await expect.poll(() => line.textContent()).toMatch(new RegExp(`^Getting ${GAME} to play Duel: .* of .*\\. You can queue now: the queue goes out once it is here\\.$`));
    expect(await page.getByTestId('mm-phase').textContent()).toContain('idle');
    await suite.shot(page, 'first-start-play');

    await page.getByTestId('playlist-1v1').click();
    await page.getByTestId('queue').click();
    await expect.poll(() => page.getByTestId('queue-ready').textContent()).toMatch(new RegExp(`^Downloading game "${GAME}" for playlist Duel: .*\\. You are queued once it is here\\.$`));
    expect(await line.count()).toBe(0);
    content.server.faults.held.clear();
    content.server.release(held);
    await page.getByTestId('mm-phase').filter({ hasText: 'queued' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('queue-ready').count()).toBe(0);
    expect(await line.count()).toBe(0);
    await page.getByTestId('leave-queue').click();
  }, 90_000);
});
