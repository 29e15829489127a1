// Refresh token files (0600, atomic, per server) and server profiles (embedded first, signed-in flags persisted).
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMBEDDED_PROFILE_ID, REFRESH_TOKEN_FILE, ServerProfiles, createFileRefreshTokenStore, createJsonFileProfileStore } from '../../src-main/core/auth';

const dirs: string[] = [];
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'auth-store-'));
  dirs.push(dir);
  return dir;
}

describe('file refresh token store', () => {
  it('keeps one token per server in a 0600 file in a 0700 folder, and removes the file when empty', async () => {
    const dataDir = tempDir();
    const store = createFileRefreshTokenStore(dataDir);
    expect(await store.read('https://a.example')).toBeNull();
    await store.write('https://a.example', 'rt-one');
    await store.write('https://b.example', 'rt-two');
    await store.write('https://a.example', 'rt-three');
    const file = join(dataDir, REFRESH_TOKEN_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'auth')).mode & 0o777).toBe(0o700);
    expect(await createFileRefreshTokenStore(dataDir).read('https://a.example')).toBe('rt-three');
    expect(readdirSync(join(dataDir, 'auth'))).toEqual(['refresh-tokens.json']);
    await store.delete('https://a.example');
    await store.delete('https://b.example');
    expect(() => statSync(file)).toThrow();
  });

  it('reads a damaged or hand-edited file as empty, keeping only string tokens', async () => {
    const dataDir = tempDir();
    const store = createFileRefreshTokenStore(dataDir);
    await store.write('https://a.example', 'rt');
    writeFileSync(join(dataDir, REFRESH_TOKEN_FILE), '{"refreshTokens":{"https://a.example":42,"https://b.example":"ok"}}');
    expect(await store.read('https://a.example')).toBeNull();
    expect(await store.read('https://b.example')).toBe('ok');
    writeFileSync(join(dataDir, REFRESH_TOKEN_FILE), 'not json');
    expect(await store.read('https://b.example')).toBeNull();
  });
});

describe('server profiles', () => {
  it('lists the embedded server first, adds origins once, and remembers sign-in per server', async () => {
    const file = join(tempDir(), 'profiles.json');
    const profiles = await ServerProfiles.open(createJsonFileProfileStore(file));
    expect(profiles.list().map((p) => p.id)).toEqual([EMBEDDED_PROFILE_ID]);
    const added = await profiles.add('https://lobby.example/some/path', 'BAR\u0000 main');
    expect(added).toMatchObject({ id: 'https://lobby.example', url: 'https://lobby.example', label: 'BAR main', kind: 'remote', signedIn: false });
    expect(await profiles.add('https://lobby.example')).toBe(added);
    await profiles.add('http://127.0.0.1:8200');
    await profiles.setSignedIn('https://lobby.example', true);
    await expect(profiles.add('http://remote.example')).rejects.toThrow(/plain http/);
    await expect(profiles.remove(EMBEDDED_PROFILE_ID)).rejects.toThrow();

    const reopened = await ServerProfiles.open(createJsonFileProfileStore(file));
    expect(reopened.list().map((p) => [p.id, p.signedIn])).toEqual([[EMBEDDED_PROFILE_ID, false], ['https://lobby.example', true], ['http://127.0.0.1:8200', false]]);
    await reopened.remove('http://127.0.0.1:8200');
    expect((JSON.parse(readFileSync(file, 'utf8')) as { profiles: unknown[] }).profiles).toHaveLength(2);
  });

  it('rebuilds the embedded profile first and drops junk from a hand-edited file', async () => {
    const file = join(tempDir(), 'profiles.json');
    writeFileSync(file, JSON.stringify({ profiles: [{ id: 'x', url: 'ftp://nope' }, { url: 'https://ok.example', signedIn: 'yes' }, { id: EMBEDDED_PROFILE_ID, signedIn: true }] }));
    const profiles = await ServerProfiles.open(createJsonFileProfileStore(file));
    expect(profiles.list()).toEqual([
      { id: EMBEDDED_PROFILE_ID, kind: 'embedded', url: null, label: 'This computer', signedIn: true },
      { id: 'https://ok.example', kind: 'remote', url: 'https://ok.example', label: 'ok.example', signedIn: false },
    ]);
  });
});
