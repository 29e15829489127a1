// The page's checks (for errors as the player types): the Servers panel's address by the same rules as the core; the settings form's full paths, empty = defaults.
import { describe, expect, it } from 'vitest';
import { isLoopbackHost as coreLoopback } from '../../src-main/core/connection/server-url';
import { checkSettingsDraft, isAbsolutePath, isLoopbackHost, newServerAddressError, serverAddressError } from '../../src-renderer/settings-form';

describe('settings form', () => {
  it('agrees with the core on which hosts are this computer', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '[::1]', '::1', '10.0.0.1', '128.0.0.1', 'lobby.example', '127.0.0.1.evil.example']) {
      expect(isLoopbackHost(host), host).toBe(coreLoopback(host));
    }
  });

  it('words what is wrong with a server address', () => {
    expect(serverAddressError('')).toBeNull();
    expect(serverAddressError('https://lobby.example')).toBeNull();
    expect(serverAddressError('http://127.0.0.1:8200')).toBeNull();
    expect(serverAddressError('http://lobby.example')).toMatch(/only for this computer/);
    expect(serverAddressError('lobby.example')).toMatch(/Not a web address/);
    expect(serverAddressError('ftp://lobby.example')).toMatch(/https:\/\//);
    expect(serverAddressError('https://u:p@lobby.example')).toMatch(/user name and password/);
  });

  it('wants an address to add a server, by the same rules', () => {
    expect(newServerAddressError('')).toMatch(/Type the server's address/);
    expect(newServerAddressError('  ')).toMatch(/Type the server's address/);
    expect(newServerAddressError(' https://lobby.example ')).toBeNull();
    expect(newServerAddressError('http://localhost:8200')).toBeNull();
    expect(newServerAddressError('http://[::1]:8200')).toBeNull();
    expect(newServerAddressError('http://lobby.example')).toMatch(/only for this computer/);
    expect(newServerAddressError('ws://127.0.0.1:8200')).toMatch(/https:\/\//);
  });

  it('wants full paths and maps empty fields to the defaults', () => {
    expect(isAbsolutePath('/opt/recoil')).toBe(true);
    expect(isAbsolutePath('C:\\Games\\Recoil')).toBe(true);
    expect(isAbsolutePath('\\\\nas\\engines')).toBe(true);
    expect(isAbsolutePath('engines/recoil')).toBe(false);
    expect(checkSettingsDraft({ enginePaths: '\n /opt/a \n\n/opt/b', dataDir: '' })).toEqual({
      ok: true,
      value: { enginePaths: ['/opt/a', '/opt/b'], dataDir: null },
    });
    expect(checkSettingsDraft({ enginePaths: '/opt/a\nrelative', dataDir: 'data' })).toEqual({
      ok: false,
      errors: {
        enginePaths: expect.stringMatching(/^Line 2 is not a full path/),
        dataDir: expect.stringMatching(/Not a full path/),
      },
    });
  });
});
