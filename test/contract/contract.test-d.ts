// The contract's type guarantees, checked by vitest's typecheck (tsc): every payload's type is its schema's Static type,
// results are typed, and unknown intents, wrong payloads or token-like fields do not compile.
import type { Static } from 'typebox';
import { describe, expectTypeOf, it } from 'vitest';
import {
  INTENT_NAMES,
  isIntentName,
  type AppPatch,
  type IntentMap,
  type IntentName,
  type IpcResult,
  type LobbyBridge,
  type PayloadArgs,
  type PayloadOf,
  type ResultOf,
  type ServersView,
  type SessionView,
  type SignInStarted,
  type SnapshotResult,
} from '../../src-main/contract';
import type { ChatTargetPayload, PAYLOAD_SCHEMAS, PayloadSchemas } from '../../src-main/contract/payloads';
import type { ChatTarget, LobbyIntents } from '../../src-main/core/lobby/intents';

declare const lobby: LobbyBridge;

describe('contract types', () => {
  it('accepts known intents with their payloads and types their results', async () => {
    expectTypeOf(await lobby.invoke('snapshot')).toEqualTypeOf<IpcResult<SnapshotResult>>();
    expectTypeOf(await lobby.invoke('queue', { queues: ['1v1'] })).toEqualTypeOf<IpcResult<null>>();
    await lobby.invoke('sendChat', { target: { type: 'party' }, text: 'hi' });
    await lobby.invoke('ready');
  });

  it('rejects unknown intents and wrong payloads at compile time', async () => {
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
  });

  it('covers every lobby intent of the core', () => {
    // A new core intent without a contract entry fails to compile here.
    expectTypeOf<keyof LobbyIntents>().toMatchTypeOf<IntentName>();
    expectTypeOf<ResultOf<'updateSettings'>>().toHaveProperty('dataDir');
  });
});

describe('payload types come from their schemas', () => {
  it('gives every intent the Static type of its schema as its payload', () => {
    expectTypeOf<keyof PayloadSchemas>().toEqualTypeOf<IntentName>();
    expectTypeOf<{ [N in IntentName]: PayloadOf<N> }>().toEqualTypeOf<{ [N in IntentName]: Static<PayloadSchemas[N]> }>();
    expectTypeOf<IntentMap['queue']['payload']>().toEqualTypeOf<Static<typeof PAYLOAD_SCHEMAS.queue>>();
    expectTypeOf(INTENT_NAMES).toEqualTypeOf<readonly IntentName[]>();
    expectTypeOf(isIntentName).guards.toEqualTypeOf<IntentName>();
  });

  it('pins what each payload shape is', () => {
    expectTypeOf<PayloadOf<'queue'>>().toEqualTypeOf<{ queues: string[] }>();
    expectTypeOf<PayloadOf<'sendChat'>>().toEqualTypeOf<{ target: { type: 'player'; userId: string } | { type: 'party' } | { type: 'lobby' }; text: string }>();
    expectTypeOf<PayloadOf<'sendFriendRequest'>>().toEqualTypeOf<{ userId: string }>();
    expectTypeOf<PayloadOf<'acceptPartyInvite'>>().toEqualTypeOf<{ partyId: string }>();
    // The schema takes null for these optional fields, so the type says so: a handler cannot forget the case.
    expectTypeOf<PayloadOf<'updateSettings'>>().toEqualTypeOf<{ enginePaths?: string[] | null; dataDir?: string | null; rapidMaster?: string | null; filesApi?: string | null }>();
    expectTypeOf<PayloadOf<'addServer'>>().toEqualTypeOf<{ url: string; label?: string | null }>();
    expectTypeOf<PayloadOf<'removeServer'>>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<PayloadOf<'snapshot' | 'ready' | 'engineKill' | 'signIn' | 'signOut' | 'refreshReplays' | 'openReplaysFolder'>>().toEqualTypeOf<null>();
    expectTypeOf<PayloadOf<'watchReplay' | 'deleteReplay'>>().toEqualTypeOf<{ file: string }>();
    expectTypeOf<PayloadArgs<'ready'>>().toEqualTypeOf<[payload?: null]>();
    expectTypeOf<PayloadArgs<'queue'>>().toEqualTypeOf<[payload: { queues: string[] }]>();
  });

  it("keeps the chat target the core's ChatTarget, readonly aside", () => {
    expectTypeOf<Static<typeof ChatTargetPayload>>().toExtend<ChatTarget>();
    expectTypeOf<ChatTarget>().toExtend<Static<typeof ChatTargetPayload>>();
  });

  it('refuses a wrong payload at compile time', () => {
    // @ts-expect-error queues is a list
    const notAList: PayloadOf<'queue'> = { queues: '1v1' };
    // @ts-expect-error a payload object is closed: no field the schema does not name
    const extra: PayloadOf<'chooseServer'> = { id: 'embedded', token: 'secret' };
    // @ts-expect-error a player target needs its userId
    const noUser: PayloadOf<'sendChat'> = { target: { type: 'player' }, text: 'hi' };
    // @ts-expect-error an intent without a payload takes null, not an object
    const notNone: PayloadOf<'ready'> = {};
    expectTypeOf([notAList, extra, noUser, notNone]).toBeArray();
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
    // No payload at all carries one either.
    expectTypeOf<Extract<DeepKeys<PayloadOf<IntentName>>, SecretLike>>().toEqualTypeOf<never>();
    // The check itself bites: a slice with a token would be caught.
    expectTypeOf<Extract<DeepKeys<SessionView & { accessToken: string }>, SecretLike>>().toEqualTypeOf<'accesstoken'>();
    expectTypeOf<Extract<DeepKeys<{ a: { codeVerifier: string }[] }>, SecretLike>>().toEqualTypeOf<'codeverifier'>();
    // The session's words are the sign-in events' own.
    expectTypeOf<NonNullable<SessionView['lastEvent']>>().toEqualTypeOf<'auth success' | 'token expiring' | 'token expired'>();
    expectTypeOf<SessionView['state']>().toEqualTypeOf<'signed_out' | 'signing_in' | 'signed_in' | 'expired'>();
  });

  it('types the sign-in intents and refuses payloads they do not take', async () => {
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
  });
});
