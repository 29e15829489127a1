// `npm run server` as a child process: the --tokens-out and --autohost-secrets-out files are the owner's alone, and a browser sign-in needs the code it prints on stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { s256Challenge } from '../../src-main/core/auth';
import { followLines } from '../../src-main/core/engine';

const dirs: string[] = [];
const children: ServerProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.process.kill('SIGTERM');
    await child.exited;
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'server-cli-test-'));
  dirs.push(dir);
  return dir;
}

interface ServerProcess {
  readonly process: ChildProcess;
  readonly stderr: string[];
  /** The base URL, once it prints that it listens. */
  readonly listening: Promise<string>;
  readonly exited: Promise<number | null>;
  /** The first stderr line matching, once printed. */
  line(pattern: RegExp): Promise<string>;
}

function runServer(args: readonly string[]): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/server.ts', '--port', '0', '--no-autohost', '--log-level', 'error', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  const wake = () => { for (const w of waiters) w(); };
  followLines(child.stderr, (line) => { stderr.push(line); wake(); }, Number.POSITIVE_INFINITY);
  const listening = new Promise<string>((resolve, reject) => {
    followLines(child.stdout, (line) => {
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      if (url) resolve(url);
    }, Number.POSITIVE_INFINITY);
    child.once('close', (code) => reject(new Error(`the server exited with ${code}: ${stderr.join('\n')}`)));
  });
  // A test that expects the server to refuse its arguments never awaits this.
  listening.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => { wake(); resolve(code); }));
  const line = async (pattern: RegExp): Promise<string> => {
    for (let i = 0; i < 1000; i++) {
      const found = stderr.find((l) => pattern.test(l));
      if (found) return found;
      if (child.exitCode !== null) throw new Error('the server exited');
      await new Promise<void>((resolve) => { waiters.add(resolve); });
    }
    throw new Error(`no stderr line matched ${pattern}`);
  };
  const handle: ServerProcess = { process: child, stderr, listening, exited, line };
  children.push(handle);
  return handle;
}

describe('npm run server --tokens-out', () => {
  it('replaces a pre-existing 0666 file with a new 0600 one', async () => {
    const dir = tempDir();
    const out = join(dir, 'tokens.json');
    writeFileSync(out, 'old\n');
    chmodSync(out, 0o666);
    const before = statSync(out).ino;
    const server = runServer(['--users', 'alice,bob', '--tokens-out', out, '--data-dir', join(dir, 'data')]);
    await server.listening;
    const written = statSync(out);
    expect(written.mode & 0o777).toBe(0o600);
    expect(written.ino).not.toBe(before);
    expect(Object.keys(JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>)).toEqual(['alice', 'bob']);
  });

  it('refuses a planted symlink and leaves its target alone', async () => {
    const dir = tempDir();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    const out = join(dir, 'tokens.json');
    symlinkSync(victim, out);
    const server = runServer(['--users', 'alice', '--tokens-out', out, '--data-dir', join(dir, 'data')]);
    expect(await server.exited).toBe(64);
    expect(server.stderr.join('\n')).toMatch(/symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
  });

  it('refuses a directory other users can write to without the sticky bit', async () => {
    const dir = tempDir();
    const open = mkdtempSync(join(dir, 'open-'));
    chmodSync(open, 0o777);
    const server = runServer(['--users', 'alice', '--tokens-out', join(open, 'tokens.json'), '--data-dir', join(dir, 'data')]);
    expect(await server.exited).toBe(64);
    expect(server.stderr.join('\n')).toMatch(/writable by other users/);
  });
});

describe('npm run server --autohost-client', () => {
  it('registers each external autohost and writes its secret to a new 0600 file, good for a client_credentials token', async () => {
    const dir = tempDir();
    const out = join(dir, 'autohosts.json');
    const server = runServer(['--autohost-client', 'recoil-autohost', '--autohost-client', 'second', '--autohost-secrets-out', out, '--data-dir', join(dir, 'data')]);
    const baseUrl = await server.listening;
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const secrets = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
    expect(Object.keys(secrets)).toEqual(['recoil-autohost', 'second']);
    const basic = Buffer.from(`recoil-autohost:${secrets['recoil-autohost'] ?? ''}`).toString('base64');
    const answer = await fetch(`${baseUrl}/oauth2/token`, {
      method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'tachyon.lobby' }),
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ token_type: 'Bearer', scope: 'tachyon.lobby' });
    const wrong = await fetch(`${baseUrl}/oauth2/token`, {
      method: 'POST', headers: { authorization: `Basic ${Buffer.from('second:nope').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(wrong.status).toBe(401);
  });

  it('refuses a secrets file behind a planted symlink, a secrets file with no client, and a malformed id', async () => {
    const dir = tempDir();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    const out = join(dir, 'autohosts.json');
    symlinkSync(victim, out);
    const linked = runServer(['--autohost-client', 'ah', '--autohost-secrets-out', out, '--data-dir', join(dir, 'data')]);
    expect(await linked.exited).toBe(64);
    expect(linked.stderr.join('\n')).toMatch(/--autohost-secrets-out: .*symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    const lonely = runServer(['--autohost-secrets-out', join(dir, 'x.json'), '--data-dir', join(dir, 'data')]);
    expect(await lonely.exited).toBe(64);
    expect(lonely.stderr.join('\n')).toMatch(/needs at least one --autohost-client/);
    const bad = runServer(['--autohost-client', 'a b', '--data-dir', join(dir, 'data')]);
    expect(await bad.exited).toBe(64);
    expect(bad.stderr.join('\n')).toMatch(/--autohost-client ids/);
  });
});

describe('npm run server: browser sign-in', () => {
  it('prints a one-time code on stderr for each consent page, and typing it (in any case) signs the player in', async () => {
    const dir = tempDir();
    const server = runServer(['--users', 'alice', '--data-dir', join(dir, 'data')]);
    const baseUrl = await server.listening;
    const url = new URL(`${baseUrl}/oauth2/authorize`);
    const params = { response_type: 'code', client_id: 'generic_lobby', redirect_uri: 'http://127.0.0.1:9/cb', scope: 'tachyon.lobby', code_challenge: s256Challenge('v'.repeat(43)), code_challenge_method: 'S256' };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const consent = await fetch(url);
    const html = await consent.text();
    const label = /id="request-label">([^<]+)</.exec(html)?.[1] ?? '';
    const printed = await server.line(new RegExp(`request ${label}\\b`));
    const code = /code ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(printed)?.[1] ?? '';
    expect(code).not.toBe('');
    expect(printed).toContain('http://127.0.0.1:9/cb');
    expect(html).not.toContain(code);
    const form = new URLSearchParams({
      request: /name="request" value="([^"]+)"/.exec(html)?.[1] ?? '', csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '',
      player: /name="player" value="([^"]+)"/.exec(html)?.[1] ?? '', decision: 'allow', code: code.toLowerCase(),
    });
    const cookie = (consent.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const decided = await fetch(`${baseUrl}/oauth2/authorize`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie, origin: baseUrl } });
    expect(decided.status).toBe(303);
    expect(new URL(decided.headers.get('location') ?? '').searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
