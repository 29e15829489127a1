// Password redaction in engine output: assignments hidden whatever the length, known passwords hidden as whole words.
import { describe, expect, it } from 'vitest';
import { redactEngineText } from '../../src-main/core/engine/redact-secrets';

describe('redactEngineText', () => {
  it('hides a one-character password in its assignment and as a word, and leaves every other such letter alone', () => {
    expect(redactEngineText('\tMyPasswd=x;', ['x'])).toBe('\tMyPasswd=[redacted];');
    expect(redactEngineText('Password = x', ['x'])).toBe('Password = [redacted]');
    expect(redactEngineText('[PLAYER0] { Name=Alice; Password=a; Team=0; }', ['a'])).toBe('[PLAYER0] { Name=Alice; Password=[redacted]; Team=0; }');
    expect(redactEngineText('Loading a map and x-ray units', ['x'])).toBe('Loading a map and [redacted]-ray units');
    expect(redactEngineText('max extra exit', ['x'])).toBe('max extra exit');
    expect(redactEngineText('said: a', ['a'])).toBe('said: [redacted]');
  });

  it('hides two-character passwords, which the old autohost rule let through', () => {
    expect(redactEngineText('joined with pw ab from 127.0.0.1', ['ab'])).toBe('joined with pw [redacted] from 127.0.0.1');
    expect(redactEngineText('Password=ab;MyPasswd=cd;', ['ab', 'cd'])).toBe('Password=[redacted];MyPasswd=[redacted];');
  });

  it('replaces any assignment value, known or not, up to the end of the value', () => {
    expect(redactEngineText('mypasswd=unknown-to-us; IsHost=0;', [])).toBe('mypasswd=[redacted]; IsHost=0;');
    expect(redactEngineText('Password=;', [])).toBe('Password=[redacted];');
    expect(redactEngineText('UserPassword=keep', [])).toBe('UserPassword=keep');
  });

  it('treats a password with punctuation at its edge like a regular expression word boundary', () => {
    expect(redactEngineText('pw=!x! said', ['!x!'])).toBe('pw=[redacted] said');
    expect(redactEngineText('a!x!b', ['!x!'])).toBe('a[redacted]b');
  });

  it('hides a long password wherever it shows, even inside a word', () => {
    expect(redactEngineText('the password is hunter2-secret, really', ['hunter2-secret'])).toBe('the password is [redacted], really');
    expect(redactEngineText('xxhunter2-secretyy', ['hunter2-secret'])).toBe('xx[redacted]yy');
  });

  it('leaves text alone without passwords, and ignores empty ones', () => {
    expect(redactEngineText('nothing secret here', ['', 'zzz'])).toBe('nothing secret here');
  });
});
