// The autohost's password redaction: assignments at any length, whole words elsewhere.
import { describe, expect, it } from 'vitest';
import { redactEngineText } from '../../src-main/core/engine/redact-secrets';

describe('redactEngineText', () => {
  it('replaces the value of Password= and MyPasswd= assignments, whatever their length', () => {
    expect(redactEngineText('[PLAYER0]{Name=Q;Password=Q;}', ['Q'])).toBe('[PLAYER0]{Name=[redacted];Password=[redacted];}');
    expect(redactEngineText('MyPasswd = Zq;', ['Zq'])).toBe('MyPasswd = [redacted];');
    expect(redactEngineText('password=anything-else', [])).toBe('password=[redacted]');
  });

  it('replaces one- and two-character passwords as whole words only', () => {
    expect(redactEngineText('user Q joined with Zq', ['Q', 'Zq'])).toBe('user [redacted] joined with [redacted]');
    expect(redactEngineText('Quit Zqx aQ', ['Q', 'Zq'])).toBe('Quit Zqx aQ');
    expect(redactEngineText('(Q) "Zq".', ['Q', 'Zq'])).toBe('([redacted]) "[redacted]".');
  });

  it('takes passwords literally, longest first', () => {
    expect(redactEngineText('a.b a+b', ['a.b'])).toBe('[redacted] a+b');
    expect(redactEngineText('pw pw-long', ['pw', 'pw-long'])).toBe('[redacted] [redacted]');
    expect(redactEngineText('x', [''])).toBe('x');
  });
});
