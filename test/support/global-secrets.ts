// Vitest global setup: after the whole suite, every log line the app wrote is searched for every token and password the tests used; one hit fails the run.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'lobby-ledger-'));
  process.env.LOBBY_TEST_LEDGER_DIR = dir;
  return () => {
    const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : '');
    const secrets = read('secrets.jsonl').split('\n').filter(Boolean).map((l) => JSON.parse(l) as string);
    const log = read('log.txt');
    rmSync(dir, { recursive: true, force: true });
    const leaked = [...new Set(secrets)].filter((s) => log.includes(s));
    process.stdout.write(`secret grep: ${new Set(secrets).size} test secrets checked against ${log.split('\n').length} log lines\n`);
    if (leaked.length > 0) throw new Error(`${leaked.length} test secret(s) appeared in the app's logs`);
  };
}
