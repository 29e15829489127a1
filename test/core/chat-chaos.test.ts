// Chaos: the server drops every connection at random moments while chat flows. Every line must reach the client exactly once,
// in order (the client resubscribes from its history marker after each reconnect).
import { afterEach, describe, expect, it } from 'vitest';
import { connected, createWorld, waitFor, type World } from '../support/world';
import { seededRandom } from '../support/schema-sampler';

let world: World;
afterEach(async () => world?.dispose({ allowViolations: true }));

const LINES = 800;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('chat under chaos', () => {
  it('delivers every line exactly once, in order, across random drops', async () => {
    world = await createWorld();
    const alice = await world.player('alice');
    const bob = world.server.addPlayer('bob');
    await waitFor('connected', () => connected(alice.app));
    // The first subscription starts from "latest": wait until it is live, so every line below is owed to the client.
    for (let i = 0; alice.app.snapshot().chat.length === 0 && i < 100; i++) {
      world.server.community.deliver(alice.userId, { message: 'hello', source: { type: 'player', userId: bob.userId } });
      await sleep(20);
    }
    expect(alice.app.snapshot().chat.length).toBeGreaterThan(0);
    const random = seededRandom(Number(process.env.CHAOS_SEED ?? 7));

    let drops = 0;
    let nextDrop = 100 + random() * 400;
    let elapsed = 0;
    for (let i = 0; i < LINES; i++) {
      world.server.community.deliver(alice.userId, { message: `line ${i}`, source: { type: 'player', userId: bob.userId } });
      if (i % 10 === 9) {
        await sleep(25);
        elapsed += 25;
      }
      if (elapsed >= nextDrop) {
        world.controls.dropAllConnections();
        drops++;
        nextDrop = elapsed + 150 + random() * 500;
      }
    }
    expect(drops).toBeGreaterThanOrEqual(3);
    await waitFor('connected again', () => connected(alice.app), 10_000);
    const lines = () => alice.app.snapshot().chat.filter((l) => l.text.startsWith('line '));
    await waitFor('every line', () => lines().length >= LINES, 15_000).catch((error: Error) => {
      const got = new Set(lines().map((l) => l.text));
      const missing = Array.from({ length: LINES }, (_, i) => `line ${i}`).filter((t) => !got.has(t));
      throw new Error(`${error.message}: ${missing.length} missing, first ${missing.slice(0, 10).join(', ')}`);
    });
    await sleep(200); // a late duplicate would land here
    const texts = lines().map((l) => l.text);
    expect(texts).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i}`));
  }, 60_000);
});
