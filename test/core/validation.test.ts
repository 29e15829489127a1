// Schema checks on messages the real server sends: they must judge every message and never throw.
import { describe, expect, it } from 'vitest';
import { validateMessage } from '../../src-main/core/protocol/validation';

const updated = (roles: string[]) => ({
  type: 'event' as const,
  messageId: 'm1',
  commandId: 'user/updated',
  data: { users: [{ userId: '1', username: 'alice', roles }] },
});

describe('validateMessage', () => {
  it('accepts users with several roles (the real server sends them for moderators and admins)', () => {
    expect(validateMessage(updated(['admin', 'moderator']))).toEqual({ ok: true });
    expect(validateMessage(updated(['contributor', 'tournament_winner', 'tournament_caster']))).toEqual({ ok: true });
    const self = { type: 'event' as const, messageId: 'm2', commandId: 'user/info', status: 'success', data: {} };
    expect(validateMessage(self).ok).toBe(false);
  });

  it('refuses repeated roles as a schema problem, without throwing', () => {
    const result = validateMessage(updated(['admin', 'admin']));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(/roles/);
  });

  it('treats a message the validator cannot judge as invalid instead of throwing', () => {
    const hostile = { type: 'event' as const, messageId: 'm3', commandId: 'user/updated', get data(): never { throw new Error('getter'); } };
    expect(validateMessage(hostile).ok).toBe(false);
  });

  it('judges either revision alike whichever it tries first, and a message neither fits gets the current revision\'s complaint', () => {
    const received = (source: object, extra: object = {}) => ({
      type: 'event' as const, messageId: 'm4', commandId: 'messaging/received', data: { message: 'hi', source, timestamp: 1, marker: 'k', ...extra },
    });
    const player = received({ type: 'player', userId: 'u1' });
    const lobby = received({ type: 'lobby', lobbyId: 'l1', userId: 'u1' });
    // A lobby's chat is only in the current revision; a player's fits both. Alternate, so the order flips between them.
    for (let i = 0; i < 3; i++) {
      expect(validateMessage(player)).toEqual({ ok: true });
      expect(validateMessage(lobby)).toEqual({ ok: true });
    }
    expect(validateMessage(lobby, 'current')).toEqual({ ok: true });
    const neither = received({ type: 'lobby', userId: 'u1' });
    expect(validateMessage(neither)).toEqual(validateMessage(neither, 'current'));
    expect(validateMessage(neither).ok).toBe(false);
    expect(validateMessage(player)).toEqual({ ok: true });
    expect(validateMessage(neither)).toEqual(validateMessage(neither, 'current'));
  });
});
