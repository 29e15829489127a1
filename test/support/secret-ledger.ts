// Collects, across the whole suite, the secrets tests hand out and the log lines the app wrote, so a last check can grep one against the other.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.LOBBY_TEST_LEDGER_DIR;

export function recordSecrets(...secrets: readonly string[]): void {
  if (!dir) return;
  const lines = secrets.filter((s) => s.length >= 6).map((s) => `${JSON.stringify(s)}\n`).join('');
  if (lines) appendFileSync(join(dir, 'secrets.jsonl'), lines);
}

export function recordLog(lines: readonly string[]): void {
  if (!dir || lines.length === 0) return;
  appendFileSync(join(dir, 'log.txt'), `${lines.join('\n')}\n`);
}
