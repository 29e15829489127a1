// Schema-aware fuzz of the lobby client against the real embedded server: 20,000+ server messages generated from the
// tachyon-protocol schemas (valid ones with every enum and array the schemas allow, and mutations of them), interleaved with
// server requests and frames that end the connection. The client must stay up, reconnect, answer every request exactly once
// with a valid response, and still show a fresh user count afterwards.
import { afterEach, describe, expect, it } from 'vitest';
import { connected, createWorld, waitFor, type World } from '../support/world';
import { loadTachyonSchemas, type Schema } from '../support/tachyon-schemas';
import { pathsOf, SchemaSampler, seededRandom, setAt } from '../support/schema-sampler';
import { validateMessage } from '../../src-main/core/protocol/validation';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const MESSAGES = 20_000;
const PER_ROUND = 100;

let world: World;
afterEach(async () => world?.dispose({ allowViolations: true }));

type Frame = { text: string | Buffer; binary?: boolean; closes?: boolean };

class Mutator {
  constructor(private readonly sampler: SchemaSampler) {}

  /** One frame: a valid message, or a mutation of one. */
  frame(message: Record<string, unknown>): Frame {
    const s = this.sampler;
    const roll = s.int(0, 11);
    const copy = structuredClone(message);
    const paths = pathsOf(copy);
    const target = paths.length > 0 ? s.pick(paths) : null;
    switch (roll) {
      case 0:
      case 1: return { text: JSON.stringify(copy) };
      case 2: if (target) setAt(copy, target, undefined, true); return { text: JSON.stringify(copy) };
      case 3: if (target) setAt(copy, target, s.pick([7, 'seven', true, null, [], {}, -1, 1e308, ''])); return { text: JSON.stringify(copy) };
      case 4: if (target) setAt(copy, target, s.chance(0.05) ? 'x'.repeat(100_000) : '\u0000\u001b[2J\r\n\u202eevil\u2028' + 'é'.repeat(s.int(1, 300))); return { text: JSON.stringify(copy) };
      case 5: if (target) setAt(copy, target, deep(s.int(50, 400))); return { text: JSON.stringify(copy) };
      case 6: {
        // __proto__ and constructor as keys: only raw JSON text can carry them as own keys.
        const text = JSON.stringify(copy).replace(/\{/, '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},');
        return { text };
      }
      case 7: if (target) setAt(copy, target, `unknown-${s.int(0, 1e9)}`); return { text: JSON.stringify(copy) };
      case 8: return { text: JSON.stringify({ ...copy, commandId: s.pick(['no/such', 'lobby/join', 'user/self/extra', '']) }) };
      case 9: return { text: JSON.stringify({ ...copy, type: s.pick(['eventx', 'response', 7, null]) }) };
      case 10: return { text: JSON.stringify(s.pick([[1, 2], 'str', 42, null, { type: 'event' }])) };
      default: return { text: JSON.stringify(copy) };
    }
  }

  /** A frame after which the client must close and reconnect. */
  closing(): Frame {
    const s = this.sampler;
    switch (s.int(0, 2)) {
      case 0: return { text: '{not json', closes: true };
      case 1: return { text: Buffer.from([0x7b, 0xff, 0xfe, 0xfd, 0x7d]), closes: true }; // not UTF-8, in a text frame
      default: return { text: Buffer.from('{"type":"event"}'), binary: true, closes: true };
    }
  }
}

function deep(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { nested: value };
  return value;
}

describe('client fuzz', () => {
  it(`stays up through ${MESSAGES} generated server messages (seed ${SEED})`, async () => {
    world = await createWorld();
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app));
    const schemas = loadTachyonSchemas();
    const random = seededRandom(SEED);
    const sampler = new SchemaSampler(schemas, random);
    const mutator = new Mutator(sampler);
    const toUser = [...schemas.values()].filter((schema) => {
      const meta = schema.tachyon as { source?: string; target?: string } | undefined;
      return meta?.source === 'server' && meta.target === 'user' && !String(schema.$id).endsWith('/response.json');
    });
    const events = toUser.filter((schema) => String(schema.$id).endsWith('/event.json'));
    const requests = toUser.filter((schema) => String(schema.$id).endsWith('/request.json'));
    expect(events.length).toBeGreaterThan(10);
    expect(requests.length).toBeGreaterThan(0);
    const sample = (schema: Schema) => sampler.sample({ schema, base: String(schema.$id) }) as Record<string, unknown>;

    // Every frame alice sends back, by the messageId it answers.
    const answers = new Map<string, unknown[]>();
    world.controls.onFrame((userId, text) => {
      if (userId !== alice.userId) return;
      const message = JSON.parse(text) as { type?: string; messageId?: string };
      if (message.type !== 'response' || typeof message.messageId !== 'string') return;
      const list = answers.get(message.messageId) ?? [];
      list.push(message);
      answers.set(message.messageId, list);
    });

    let sent = 0;
    let valid = 0;
    let manyRoles = 0;
    let reconnects = 0;
    const asked: { messageId: string; commandId: string }[] = [];
    for (let round = 0; sent < MESSAGES; round++) {
      for (let i = 0; i < PER_ROUND; i++, sent++) {
        const message = sample(sampler.pick(events));
        if (validateMessage(message as { type: 'event'; commandId: string }).ok) valid++;
        if (/"roles":\["[a-z_]+","/.test(JSON.stringify(message))) manyRoles++;
        const frame = mutator.frame(message);
        world.controls.sendRaw(alice.userId, frame.text, frame.binary);
      }
      // A request each round: valid or with mutated data, sometimes for a command this client does not implement.
      const messageId = `fuzz-${round}`;
      const request = sample(sampler.pick(requests));
      const data = request.data as Record<string, unknown>;
      const paths = pathsOf(data);
      if (paths.length > 0 && sampler.chance(0.5)) setAt(data, sampler.pick(paths), sampler.pick([null, 7, 'x'.repeat(2000), []]));
      const commandId = sampler.chance(0.1) ? 'autohost/kill' : String(request.commandId);
      asked.push({ messageId, commandId });
      world.controls.sendRaw(alice.userId, JSON.stringify({ ...request, messageId, commandId }));
      await waitFor(`an answer to ${messageId}`, () => answers.has(messageId), 10_000);

      if (round % 25 === 24) {
        const sessionsBefore = world.server.sessionsOf(alice.userId).length;
        expect(sessionsBefore).toBe(1);
        const frame = mutator.closing();
        world.controls.sendRaw(alice.userId, frame.text, frame.binary);
        await waitFor('the old session gone', () => alice.app.snapshot().connection.phase !== 'connected' || world.server.sessionsOf(alice.userId).length === 0, 10_000);
        await waitFor('reconnected', () => connected(alice.app) && world.server.sessionsOf(alice.userId).length === 1, 10_000);
        reconnects++;
      }
    }

    expect(valid).toBeGreaterThan(MESSAGES / 2);
    expect(manyRoles).toBeGreaterThan(0);
    expect(reconnects).toBeGreaterThan(5);
    // Every request answered exactly once, with a response its schema accepts (or the generic one for commands it lacks).
    for (const { messageId, commandId } of asked) {
      const list = answers.get(messageId) ?? [];
      expect(list, messageId).toHaveLength(1);
      const answer = list[0] as { type: 'response'; commandId: string; status: string; reason?: string };
      if (commandId === 'battle/start') expect(validateMessage(answer), messageId).toEqual({ ok: true });
      else expect(answer).toMatchObject({ commandId, status: 'failed', reason: 'command_unimplemented' });
    }

    // Still a working lobby: a fresh user count, and a state that serialises.
    await waitFor('connected', () => connected(alice.app));
    const bob = await world.player('bob');
    await waitFor('bob connected', () => connected(bob.app));
    const expected = 2; // alice and bob, connected
    await waitFor(`user count ${expected}`, () => alice.app.snapshot().stats.userCount === expected, 10_000);
    expect(() => JSON.stringify(alice.app.snapshot())).not.toThrow();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);
});
