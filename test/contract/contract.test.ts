// The contract's run-time guarantees: every payload schema compiles in ajv's strict mode, every name is listed, and the
// schemas accept the payloads the page may send and refuse the rest. The type guarantees are in contract.test-d.ts.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { INTENT_NAMES, isIntentName, type IntentName } from '../../src-main/contract';
import { CHAT_TEXT_MAX, PAYLOAD_SCHEMAS } from '../../src-main/contract/payloads';

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

  it('lists exactly the intents that have a schema, and the schemas are plain JSON', () => {
    expect([...INTENT_NAMES].sort()).toEqual(Object.keys(PAYLOAD_SCHEMAS).sort());
    expect(Object.isFrozen(INTENT_NAMES)).toBe(true);
    // TypeBox's own markers are not enumerable: what ajv (and JSON) sees is the schema and nothing else.
    expect(JSON.parse(JSON.stringify(PAYLOAD_SCHEMAS.sendFriendRequest))).toEqual({
      type: 'object',
      required: ['userId'],
      properties: { userId: { type: 'string', minLength: 1, maxLength: 128 } },
      additionalProperties: false,
    });
    expect(PAYLOAD_SCHEMAS.ready).toEqual({ type: 'null' });
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
    // A replay is named by its file name in the list, capped like a file name; never anything else.
    expect(check('watchReplay', { file: '20261201_120000_Tiny Flat_106.0.sdfz' })).toBe(true);
    expect(check('watchReplay', { file: '' })).toBe(false);
    expect(check('watchReplay', { file: 'x'.repeat(256) })).toBe(false);
    expect(check('deleteReplay', { file: 'a.sdfz', path: '/etc' })).toBe(false);
    expect(check('deleteReplay', {})).toBe(false);
    expect(check('refreshReplays', null)).toBe(true);
    expect(check('openReplaysFolder', { path: '/' })).toBe(false);
  });

  it('refuses extra properties anywhere, nested ones included', () => {
    expect(check('sendFriendRequest', { userId: 'u1', token: 'x' })).toBe(false);
    expect(check('acceptPartyInvite', { partyId: 'p1', userId: 'u1' })).toBe(false);
    expect(check('sendChat', { target: { type: 'player', userId: 'u1', extra: 1 }, text: 'hi' })).toBe(false);
    expect(check('sendChat', { target: { type: 'party' }, text: 'hi', channel: 'all' })).toBe(false);
    expect(check('updateSettings', { dataDir: '/data', serverUrl: null })).toBe(false);
    expect(check('chooseServer', { id: 'embedded', url: 'https://x' })).toBe(false);
  });

  it('refuses strings and lists past their caps, and takes them at the cap', () => {
    expect(check('sendFriendRequest', { userId: 'u'.repeat(128) })).toBe(true);
    expect(check('sendFriendRequest', { userId: 'u'.repeat(129) })).toBe(false);
    expect(check('declinePartyInvite', { partyId: 'p'.repeat(129) })).toBe(false);
    expect(check('queue', { queues: Array.from({ length: 16 }, (_, i) => `q${i}`) })).toBe(true);
    expect(check('queue', { queues: Array.from({ length: 17 }, (_, i) => `q${i}`) })).toBe(false);
    expect(check('queue', { queues: ['q'.repeat(129)] })).toBe(false);
    expect(check('sendChat', { target: { type: 'party' }, text: 'x'.repeat(CHAT_TEXT_MAX) })).toBe(true);
    expect(check('sendChat', { target: { type: 'party' }, text: 'x'.repeat(CHAT_TEXT_MAX + 1) })).toBe(false);
    expect(check('sendChat', { target: { type: 'player', userId: 'u'.repeat(129) }, text: 'hi' })).toBe(false);
    expect(check('updateSettings', { enginePaths: Array.from({ length: 32 }, (_, i) => `/e${i}`) })).toBe(true);
    expect(check('updateSettings', { enginePaths: Array.from({ length: 33 }, (_, i) => `/e${i}`) })).toBe(false);
    expect(check('updateSettings', { dataDir: '/'.repeat(4096) })).toBe(true);
    expect(check('updateSettings', { dataDir: '/'.repeat(4097) })).toBe(false);
    expect(check('updateSettings', { enginePaths: ['/'.repeat(4097)] })).toBe(false);
    expect(check('addServer', { url: 'h'.repeat(2048) })).toBe(true);
    expect(check('addServer', { url: 'h'.repeat(2049) })).toBe(false);
    expect(check('addServer', { url: 'https://x', label: 'l'.repeat(64) })).toBe(true);
    expect(check('addServer', { url: 'https://x', label: 'l'.repeat(65) })).toBe(false);
    expect(check('chooseServer', { id: 'i'.repeat(2048) })).toBe(true);
    expect(check('chooseServer', { id: 'i'.repeat(2049) })).toBe(false);
  });

  it('refuses wrong types', () => {
    expect(check('queue', { queues: '1v1' })).toBe(false);
    expect(check('queue', { queues: [1] })).toBe(false);
    expect(check('queue', null)).toBe(false);
    expect(check('queue', [['1v1']])).toBe(false);
    expect(check('sendFriendRequest', { userId: 42 })).toBe(false);
    expect(check('sendChat', { target: 'party', text: 'hi' })).toBe(false);
    expect(check('sendChat', { target: { type: 'party' }, text: 7 })).toBe(false);
    expect(check('sendChat', { target: { type: 'everyone' }, text: 'hi' })).toBe(false);
    expect(check('updateSettings', { enginePaths: '/opt/engine' })).toBe(false);
    expect(check('updateSettings', { dataDir: 5 })).toBe(false);
    expect(check('updateSettings', null)).toBe(false);
    expect(check('addServer', { url: 'https://x', label: 3 })).toBe(false);
    for (const payload of [undefined, 0, false, '', 'null', {}, []]) expect(check('ready', payload)).toBe(false);
  });

  it('takes null for the optional fields whose intent says what null means', () => {
    // `dataDir: null` is the app's default; `enginePaths: null` and `label: null` are the same as leaving them out.
    expect(check('updateSettings', { dataDir: null })).toBe(true);
    expect(check('updateSettings', { enginePaths: null })).toBe(true);
    expect(check('addServer', { url: 'https://lobby.example', label: null })).toBe(true);
    expect(check('addServer', { url: null })).toBe(false);
    expect(check('chooseServer', { id: null })).toBe(false);
  });
});

describe('sign-in in the contract', () => {
  it('refuses payloads the sign-in intents do not take', () => {
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
