import { describe, expect, it } from 'vitest';
import { createUnavailableLobby, failureWords } from '../../src-main/app/unavailable-lobby';
import { INTENT_NAMES } from '../../src-main/contract';
import { IntentError, type LobbyIntents } from '../../src-main/core/lobby/intents';

describe('the lobby shown when the real one could not be built', () => {
  it('refuses every intent of the contract with the reason, and is not mistaken for a promise', async () => {
    const lobby = createUnavailableLobby('http://127.0.0.1:1', 'The data folder cannot be written.', () => 5);
    const names = INTENT_NAMES.filter((name) => name !== 'snapshot');
    expect(names.length).toBeGreaterThan(40);
    for (const name of names) {
      const intent = (lobby.intents as unknown as Record<string, () => Promise<unknown>>)[name];
      const error = await intent!().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntentError);
      expect((error as IntentError).code).toBe('not_available');
      expect((error as IntentError).message).toBe('The data folder cannot be written.');
    }
    expect((lobby.intents as unknown as { then?: unknown }).then).toBeUndefined();
    expect(await Promise.resolve(lobby.intents as LobbyIntents)).toBe(lobby.intents);
    expect(lobby.snapshot().connection).toMatchObject({ phase: 'closed', message: 'The data folder cannot be written.' });
    expect(lobby.snapshot().notices).toEqual([{ at: 5, level: 'error', text: 'The data folder cannot be written.' }]);
  });

  it('puts a failure in one printable, bounded line', () => {
    expect(failureWords(new Error('first\nsecond'))).toBe('first');
    expect(failureWords('a\u0007b\u202ec')).toBe('a b c');
    expect(failureWords('x'.repeat(400))).toHaveLength(301);
    expect(failureWords('')).toBe('unknown error');
  });
});
