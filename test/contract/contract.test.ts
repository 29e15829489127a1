// The contract's guarantees: every intent has a schema tied to its type, and unknown intents or wrong payloads do not compile.
import { Ajv } from 'ajv';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { INTENT_NAMES, PAYLOAD_SCHEMAS, isIntentName, type IntentName, type IpcResult, type LobbyBridge, type ResultOf, type SnapshotResult } from '../../src-main/contract';
import type { LobbyIntents } from '../../src-main/core/lobby/intents';

declare const lobby: LobbyBridge;

describe('contract types', () => {
  it('accepts known intents with their payloads and types their results', () => {
    const typed = async () => {
      expectTypeOf(await lobby.invoke('snapshot')).toEqualTypeOf<IpcResult<SnapshotResult>>();
      expectTypeOf(await lobby.invoke('queue', { queues: ['1v1'] })).toEqualTypeOf<IpcResult<null>>();
      await lobby.invoke('sendChat', { target: { type: 'party' }, text: 'hi' });
      await lobby.invoke('ready');
    };
    expect(typed).toBeTypeOf('function');
  });

  it('rejects unknown intents and wrong payloads at compile time', () => {
    const wrong = async () => {
      // @ts-expect-error not an intent
      await lobby.invoke('deleteEverything');
      // @ts-expect-error queue needs a payload
      await lobby.invoke('queue');
      // @ts-expect-error queues must be strings
      await lobby.invoke('queue', { queues: [1] });
      // @ts-expect-error unknown chat target
      await lobby.invoke('sendChat', { target: { type: 'everyone' }, text: 'hi' });
      // @ts-expect-error no token can cross the contract
      await lobby.invoke('setServerAddress', { serverUrl: 'https://x', token: 'secret' });
    };
    expect(wrong).toBeTypeOf('function');
  });

  it('covers every lobby intent of the core', () => {
    // A new core intent without a contract entry fails to compile here.
    expectTypeOf<keyof LobbyIntents>().toMatchTypeOf<IntentName>();
    expectTypeOf<ResultOf<'setDataDir'>>().toHaveProperty('dataDir');
  });
});

describe('contract schemas', () => {
  const ajv = new Ajv({ strict: true });
  const check = (name: IntentName, payload: unknown) => ajv.validate(PAYLOAD_SCHEMAS[name], payload);

  it('compiles every schema in strict mode and lists every name', () => {
    for (const name of INTENT_NAMES) expect(() => ajv.compile(PAYLOAD_SCHEMAS[name])).not.toThrow();
    expect(INTENT_NAMES).toContain('engineKill');
    expect(isIntentName('toString')).toBe(false);
    expect(isIntentName('__proto__')).toBe(false);
    expect(isIntentName('ready')).toBe(true);
  });

  it('accepts good payloads and refuses bad ones', () => {
    expect(check('queue', { queues: ['1v1'] })).toBe(true);
    expect(check('queue', { queues: [] })).toBe(false);
    expect(check('queue', { queues: ['1v1'], extra: 1 })).toBe(false);
    expect(check('ready', null)).toBe(true);
    expect(check('ready', { x: 1 })).toBe(false);
    expect(check('sendChat', { target: { type: 'player', userId: 'u1' }, text: 'hello' })).toBe(true);
    expect(check('sendChat', { target: { type: 'party' }, text: 'hello' })).toBe(true);
    expect(check('sendChat', { target: { type: 'party', userId: 'u1' }, text: 'hello' })).toBe(false);
    expect(check('sendChat', { target: { type: 'player' }, text: 'hello' })).toBe(false);
    expect(check('sendChat', { target: { type: 'party' }, text: '' })).toBe(false);
    expect(check('setServerAddress', {})).toBe(true);
    expect(check('setServerAddress', { serverUrl: 'https://lobby.example' })).toBe(true);
    expect(check('setEnginePaths', { enginePaths: ['/opt/engine'] })).toBe(true);
    expect(check('setEnginePaths', { enginePaths: [''] })).toBe(false);
  });
});
