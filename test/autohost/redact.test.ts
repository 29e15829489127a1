// The autohost's password redaction: assignments at any length, whole words elsewhere.
import { describe, expect, it } from 'vitest';
import { redactPasswords } from '../../src-main/core/autohost/redact';

describe('redactPasswords', () => {
  it('replaces the value of Password= and MyPasswd= assignments, whatever their length', () => {
    expect(redactPasswords('[PLAYER0]{Name=Q;Password=Q;}', ['Q'])).toBe('[PLAYER0]{Name=[redacted];Password=[redacted];}');
    expect(redactPasswords('MyPasswd = Zq;', ['Zq'])).toBe('MyPasswd = [redacted];');
    expect(redactPasswords('password=anything-else', [])).toBe('password=[redacted]');
  });

  it('replaces one- and two-character passwords as whole words only', () => {
    expect(redactPasswords('user Q joined with Zq', ['Q', 'Zq'])).toBe('user [redacted] joined with [redacted]');
    expect(redactPasswords('Quit Zqx aQ', ['Q', 'Zq'])).toBe('Quit Zqx aQ');
    expect(redactPasswords('(Q) "Zq".', ['Q', 'Zq'])).toBe('([redacted]) "[redacted]".');
  });

  it('takes passwords literally, longest first', () => {
    expect(redactPasswords('a.b a+b', ['a.b'])).toBe('[redacted] a+b');
    expect(redactPasswords('pw pw-long', ['pw', 'pw-long'])).toBe('[redacted] [redacted]');
    expect(redactPasswords('x', [''])).toBe('x');
  });
});
