// The contract's guarantees: every intent has a schema tied to its type, and unknown intents or wrong payloads do not compile.
import { Ajv } from 'ajv';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  INTENT_NAMES,
  PAYLOAD_SCHEMAS,
  isIntentName,
  type AppPatch,
  type IntentName,
  type IpcResult,
  type LobbyBridge,
  type PayloadOf,
  type ResultOf,
  type ServersView,
  type SessionView,
  type SignInStarted,
  type SnapshotResult,
} from '../../src-main/contract';
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
      await lobby.invoke('addServer', { url: 'https://x', token: 'secret' });
      // @ts-expect-error the server is chosen in the Servers panel only
      await lobby.invoke('setServerAddress', { serverUrl: 'https://x' });
    };
    expect(wrong).toBeTypeOf('function');
  });

  it('covers every lobby intent of the core', () => {
    // A new core intent without a contract entry fails to compile here.
    expectTypeOf<keyof LobbyIntents>().toMatchTypeOf<IntentName>();
    expectTypeOf<ResultOf<'updateSettings'>>().toHaveProperty('dataDir');
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
    expect(check('sendChat', { target: { type: 'lobby' }, text: 'hello' })).toBe(true);
    expect(check('sendChat', { target: { type: 'lobby', lobbyId: 'L1' }, text: 'hello' })).toBe(false);
    expect(check('sendChat', { target: { type: 'player' }, text: 'hello' })).toBe(false);
    expect(check('sendChat', { target: { type: 'party' }, text: '' })).toBe(false);
    expect(check('addServer', { url: 'https://lobby.example' })).toBe(true);
    expect(check('addServer', { url: 'https://lobby.example', label: 'Lobby' })).toBe(true);
    expect(check('addServer', { url: '' })).toBe(false);
    expect(isIntentName('setServerAddress')).toBe(false);
    expect(check('updateSettings', { enginePaths: ['/opt/engine'], dataDir: '/data' })).toBe(true);
    expect(check('updateSettings', {})).toBe(true);
    expect(check('updateSettings', { enginePaths: [''] })).toBe(false);
    expect(check('updateSettings', { serverUrl: 'https://lobby.example' })).toBe(false);
  });
});

/** Every property name anywhere inside T (through arrays and nested objects), lower-cased. */
type DeepKeys<T> = T extends readonly (infer U)[]
  ? DeepKeys<U>
  : T extends object
    ? { [K in keyof T & string]: Lowercase<K> | DeepKeys<T[K]> }[keyof T & string]
    : never;
/** Names a secret could hide behind: tokens, codes, verifiers, secrets, passwords, credentials. */
type SecretLike = `${string}${'token' | 'code' | 'verifier' | 'secret' | 'password' | 'credential' | 'bearer' | 'jwt' | 'key'}${string}`;

describe('sign-in in the contract', () => {
  it('has no token-like field in the session and servers slices or the sign-in results', () => {
    // Any field named like a secret makes these types non-never, and the line stops compiling.
    expectTypeOf<Extract<DeepKeys<SessionView>, SecretLike>>().toEqualTypeOf<never>();
    expectTypeOf<Extract<DeepKeys<ServersView>, SecretLike>>().toEqualTypeOf<never>();
    expectTypeOf<Extract<DeepKeys<Extract<AppPatch, { slice: 'session' | 'servers' }>>, SecretLike>>().toEqualTypeOf<never>();
    expectTypeOf<Extract<DeepKeys<ResultOf<'signIn' | 'cancelSignIn' | 'signOut' | 'addServer' | 'chooseServer' | 'removeServer'>>, SecretLike>>().toEqualTypeOf<never>();
    expectTypeOf<Extract<DeepKeys<PayloadOf<'signIn' | 'cancelSignIn' | 'signOut' | 'addServer' | 'chooseServer' | 'removeServer'>>, SecretLike>>().toEqualTypeOf<never>();
    // The check itself bites: a slice with a token would be caught.
    expectTypeOf<Extract<DeepKeys<SessionView & { accessToken: string }>, SecretLike>>().toEqualTypeOf<'accesstoken'>();
    expectTypeOf<Extract<DeepKeys<{ a: { codeVerifier: string }[] }>, SecretLike>>().toEqualTypeOf<'codeverifier'>();
    // The session's words are the sign-in events' own.
    expectTypeOf<NonNullable<SessionView['lastEvent']>>().toEqualTypeOf<'auth success' | 'token expiring' | 'token expired'>();
    expectTypeOf<SessionView['state']>().toEqualTypeOf<'signed_out' | 'signing_in' | 'signed_in' | 'expired'>();
  });

  it('types the sign-in intents and refuses payloads they do not take', () => {
    const typed = async () => {
      expectTypeOf(await lobby.invoke('signIn')).toEqualTypeOf<IpcResult<SignInStarted>>();
      expectTypeOf(await lobby.invoke('signOut')).toEqualTypeOf<IpcResult<{ revoked: boolean }>>();
      expectTypeOf(await lobby.invoke('addServer', { url: 'https://lobby.example' })).toEqualTypeOf<IpcResult<ServersView>>();
      await lobby.invoke('chooseServer', { id: 'embedded' });
      // @ts-expect-error signIn takes no payload: the server is the current profile
      await lobby.invoke('signIn', { serverUrl: 'https://x' });
      // @ts-expect-error no token can come in from the page either
      await lobby.invoke('addServer', { url: 'https://x', refreshToken: 'rt' });
      // @ts-expect-error removeServer needs an id
      await lobby.invoke('removeServer');
    };
    expect(typed).toBeTypeOf('function');
    const ajv = new Ajv({ strict: true });
    const check = (name: IntentName, payload: unknown) => ajv.validate(PAYLOAD_SCHEMAS[name], payload);
    expect(check('signIn', null)).toBe(true);
    expect(check('signIn', { serverUrl: 'https://x' })).toBe(false);
    expect(check('cancelSignIn', null)).toBe(true);
    expect(check('signOut', null)).toBe(true);
    expect(check('addServer', { url: 'https://lobby.example' })).toBe(true);
    expect(check('addServer', { url: 'https://lobby.example', label: 'Mine' })).toBe(true);
    expect(check('addServer', { url: 'https://lobby.example', label: '' })).toBe(false);
    expect(check('addServer', { url: '' })).toBe(false);
    expect(check('addServer', { url: 'https://x', token: 'secret' })).toBe(false);
    expect(check('chooseServer', { id: 'embedded' })).toBe(true);
    expect(check('chooseServer', {})).toBe(false);
    expect(check('removeServer', { id: 'x'.repeat(5000) })).toBe(false);
  });
});
