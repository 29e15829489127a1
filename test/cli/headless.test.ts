// The headless client as a real process: its JSON lines, queue and auto-ready, orderly exit on SIGTERM, exit codes, and no secret on any output.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorld, waitFor, type World } from '../support/world';
import { playBrowser } from '../auth/support';
import { spawnHeadless, type HeadlessProcess } from '../support/headless-process';
import { recordLog, recordSecrets } from '../support/secret-ledger';

type Run = HeadlessProcess;
const runHeadless = spawnHeadless;
const records = (run: Run) => run.records();

let world: World;
const runs: Run[] = [];
beforeEach(async () => {
  world = await createWorld({
    playlists: [{ id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: 'Test Game', map: 'Test Map' }],
    launcher: { launch: async () => ({ ip: '127.0.0.1', port: 8452 }) },
  });
});
afterEach(async () => {
  for (const run of runs) {
    run.child.kill('SIGKILL');
    recordLog([...run.stdout, ...run.stderr]);
  }
  runs.length = 0;
  await world.dispose();
});

describe('headless client', () => {
  it('prints JSON lines, queues, auto-readies, reports the battle and exits 0 on SIGTERM after system/disconnect', async () => {
    const alice = world.server.addPlayer('alice');
    const bob = world.server.addPlayer('bob');
    recordSecrets(alice.token, bob.token);
    const frames: string[] = [];
    world.controls.onFrame((_u, text) => frames.push(JSON.parse(text).commandId as string));
    const common = ['--server', world.server.baseUrl, '--json', '--queue', '1v1', '--auto-ready'];
    const a = runHeadless([...common, '--data-dir', world.tempDir()], { TACHYON_TOKEN: alice.token });
    const b = runHeadless([...common, '--data-dir', world.tempDir(), '--token', bob.token]);
    runs.push(a, b);
    // Two records, written one after the other, may reach us in two pipe reads: wait for both.
    await waitFor('alice battle records', () => records(a).some((r) => r.kind === 'battle') && records(a).some((r) => r.kind === 'matchmaking' && r.state === 'battle'), 15_000);
    const lines = records(a);
    expect(lines.every((r) => typeof r.at === 'number' && typeof r.kind === 'string')).toBe(true);
    expect(lines.find((r) => r.kind === 'connection')).toMatchObject({ state: 'connecting' });
    expect(lines.some((r) => r.kind === 'connection' && r.state === 'connected')).toBe(true);
    expect(lines.some((r) => r.kind === 'stats' && typeof r.userCount === 'number')).toBe(true);
    const mm = lines.filter((r) => r.kind === 'matchmaking').map((r) => r.state);
    // `readied` may be skipped: the battle/start can arrive in the same read as the answer to our ready.
    expect(mm).toEqual(expect.arrayContaining(['found', 'battle']));
    expect(lines.some((r) => r.kind === 'matchmaking' && r.readyCount === 2)).toBe(true);
    expect(mm.indexOf('found')).toBeLessThan(mm.indexOf('battle'));
    // No engine configured in this run: the battle is reported as failed with the reason.
    expect(lines.find((r) => r.kind === 'battle')).toMatchObject({ map: 'Test Map', game: 'Test Game', engine: '106.0' });
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(frames).toContain('system/disconnect');
    const everything = [...a.stdout, ...a.stderr, ...b.stdout, ...b.stderr].join('\n');
    expect(everything).not.toContain(alice.token);
    expect(everything).not.toContain(bob.token);
  }, 30_000);

  it('names the protocol revision in its connection record and prints party changes as party records', async () => {
    const alice = world.server.addPlayer('alice');
    recordSecrets(alice.token);
    const a = runHeadless(['--server', world.server.baseUrl, '--json', '--data-dir', world.tempDir()], { TACHYON_TOKEN: alice.token });
    runs.push(a);
    // The embedded server speaks the current revision: its user/self has `matchmaking`.
    await waitFor('the revision', () => records(a).some((r) => r.kind === 'connection' && r.state === 'connected' && r.protocol === 'tachyon-current'), 15_000);
    expect(records(a).find((r) => r.kind === 'connection')).toMatchObject({ state: 'connecting', protocol: 'unknown' });
    const bob = await world.player('bob');
    await waitFor('bob connected', () => bob.app.snapshot().self !== null);
    await bob.app.intents.createParty();
    const partyId = bob.app.snapshot().party.current?.id;
    await bob.app.intents.inviteToParty(alice.userId);
    const invited = await waitFor('party record', () => records(a).find((r) => r.kind === 'party' && (r.invitations as string[]).length === 1), 10_000);
    expect(invited).toMatchObject({ partyId: null, members: [], invited: [], maxMembers: null, invitations: [partyId] });
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
  }, 30_000);

  it('prints human lines with hostile text neutralised', async () => {
    const alice = world.server.addPlayer('alice');
    const evil = world.server.addPlayer('evil\u001b[2J\u001b]0;pwned\u0007');
    const a = runHeadless(['--server', world.server.baseUrl, '--data-dir', world.tempDir()], { TACHYON_TOKEN: alice.token });
    runs.push(a);
    await waitFor('connected', () => a.stdout.some((l) => l.startsWith('connection: connected')), 10_000);
    await waitFor('subscribed', () => world.server.connectedUserIds().length === 1 && a.stdout.some((l) => l.startsWith('server:')), 10_000);
    world.server.community.deliver(alice.userId, { message: 'hi\u001b[31m red \r\nfake: line', source: { type: 'player', userId: evil.userId } });
    await waitFor('chat line', () => a.stdout.some((l) => l.startsWith('chat')), 10_000);
    const line = a.stdout.find((l) => l.startsWith('chat')) ?? '';
    // eslint-disable-next-line no-control-regex
    expect(line).not.toMatch(/[\u0000-\u001f]/);
    expect(line).toContain('hi');
    a.child.kill('SIGINT');
    expect(await a.exited).toBe(0);
  }, 30_000);

  it('exits 3 when the server rejects the token, and 64 on bad usage', async () => {
    const a = runHeadless(['--server', world.server.baseUrl, '--json', '--data-dir', world.tempDir()], { TACHYON_TOKEN: 'not-a-token' });
    runs.push(a);
    expect(await a.exited).toBe(3);
    expect(a.stderr.join('')).toMatch(/401/);
    const b = runHeadless(['--server', world.server.baseUrl, '--bogus']);
    runs.push(b);
    expect(await b.exited).toBe(64);
    expect(b.stderr.join('')).toMatch(/unknown option --bogus/);
  }, 30_000);

  it('signs in with --login through the server page, then resumes the stored sign-in without a browser', async () => {
    world.server.addPlayer('alice');
    const dataDir = world.tempDir();
    const a = runHeadless(['--server', world.server.baseUrl, '--json', '--login', '--data-dir', dataDir]);
    runs.push(a);
    const url = await waitFor('the sign-in address', () => /(http:\/\/127\.0\.0\.1:\d+\/oauth2\/authorize\S+)/.exec(a.stderr.join(''))?.[1], 15_000);
    const outcome = await playBrowser(url);
    expect(outcome.status).toBe(200);
    await waitFor('connected', () => records(a).some((r) => r.kind === 'connection' && r.state === 'connected'), 15_000);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    const b = runHeadless(['--server', world.server.baseUrl, '--json', '--login', '--data-dir', dataDir]);
    runs.push(b);
    await waitFor('connected again without a browser', () => records(b).some((r) => r.kind === 'connection' && r.state === 'connected'), 15_000);
    expect(b.stderr.join('')).not.toMatch(/oauth2\/authorize/);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }, 40_000);

  it('refuses a token that cannot be sent with a usage error that names the problem (exit 64)', async () => {
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{ TACHYON_TOKEN: 'abc\r' }, [], /the token from TACHYON_TOKEN cannot be used: the token ends with a carriage return/],
      [{ TACHYON_TOKEN: 'abc\r\nX-Injected: 1' }, [], /TACHYON_TOKEN cannot be used: the token holds characters a bearer token cannot/],
      [{}, ['--token', 'tok\u0100en'], /the token from --token cannot be used: the token holds characters a bearer token cannot/],
      [{ TACHYON_TOKEN: 'abc\n' }, [], /ends with a line feed/],
    ];
    for (const [env, extra, message] of cases) {
      const run = runHeadless(['--server', world.server.baseUrl, '--data-dir', world.tempDir(), ...extra], env);
      runs.push(run);
      expect(await run.exited).toBe(64);
      expect(run.stderr.join('')).toMatch(message);
      expect(run.stdout).toEqual([]);
    }
  }, 30_000);

  it('logs an unhandled rejection on stderr and keeps running', async () => {
    const alice = world.server.addPlayer('alice');
    recordSecrets(alice.token);
    // A promise that fails unhandled once the client is set up (it registers its SIGTERM handler last), loaded before it.
    const probe = "data:text/javascript,process.on('newListener',(n)=>{if(n==='SIGTERM')setImmediate(()=>Promise.reject(new%20Error('probe-rejection')))})";
    const a = runHeadless(['--server', world.server.baseUrl, '--json', '--data-dir', world.tempDir()], {
      TACHYON_TOKEN: alice.token, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${probe}`.trim(),
    });
    runs.push(a);
    await waitFor('the rejection logged', () => a.stderr.join('').includes('probe-rejection'), 15_000);
    expect(a.stderr.join('')).toMatch(/headless: internal error \(a promise failed unhandled\): probe-rejection/);
    await waitFor('connected', () => records(a).some((r) => r.kind === 'connection' && r.state === 'connected'), 15_000);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
  }, 30_000);

  it('escapes C1 controls and bidi marks in JSON lines and replaces them in text lines', async () => {
    const alice = world.server.addPlayer('alice');
    const bob = world.server.addPlayer('bob');
    recordSecrets(alice.token);
    const hostile = 'a\u0085b\u009bc\u200ed\u200fe\u061cf\u202eg\u2066h\u2028i';
    const json = runHeadless(['--server', world.server.baseUrl, '--json', '--data-dir', world.tempDir()], { TACHYON_TOKEN: alice.token });
    const text = runHeadless(['--server', world.server.baseUrl, '--data-dir', world.tempDir()], { TACHYON_TOKEN: alice.token });
    runs.push(json, text);
    await waitFor('both subscribed', () => json.stdout.some((l) => l.includes('"kind":"stats"')) && text.stdout.some((l) => l.startsWith('server:')), 15_000);
    world.server.community.deliver(alice.userId, { message: hostile, source: { type: 'player', userId: bob.userId } });
    const jsonLine = await waitFor('chat record', () => json.stdout.find((l) => l.includes('"kind":"chat"')), 10_000);
    const textLine = await waitFor('chat line', () => text.stdout.find((l) => l.startsWith('chat')), 10_000);
    const unsafe = /[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
    expect(jsonLine).not.toMatch(unsafe);
    expect(jsonLine).toContain('a\\u0085b\\u009bc\\u200ed');
    // Still the same JSON value: the escapes decode to the text the server sent.
    expect((JSON.parse(jsonLine) as { text: string }).text).toBe(hostile);
    expect(textLine).not.toMatch(unsafe);
    expect(textLine).toContain('a\ufffdb\ufffdc\ufffdd');
    json.child.kill('SIGTERM');
    text.child.kill('SIGTERM');
    expect(await json.exited).toBe(0);
    expect(await text.exited).toBe(0);
  }, 30_000);
});
