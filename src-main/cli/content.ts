// `npm run content -- download --data-dir <dir> --game <tag-or-name> [--rapid-master <url>] [--json]`: rapid games into a
// data dir in the engine's layout (packages/, pool/, rapid/), one progress record a second and a final one per item.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RapidProgress } from '../core/content';
import { DEFAULT_RAPID_MASTER, RapidClient, RapidError } from '../core/content';
import { EXIT_USAGE, runCommand } from './args';
import { jsonLine, printable } from './printable';

const USAGE = `usage: npm run content -- download --game <tag-or-name>... [--data-dir <dir>] [--rapid-master <url>] [--json]
  --game <tag-or-name>  a rapid tag (byar:test, rapid://byar:test) or a full package name (repeatable)
  --data-dir <dir>      where packages/, pool/ and rapid/ go (default ~/.tachyon-lobby/content)
  --rapid-master <url>  the rapid master list (default ${DEFAULT_RAPID_MASTER})
  --concurrency <n>     pool files fetched at once (default 8)
  --json                one JSON object per line
Exit code 0 only when every item asked for is installed and verified; 1 otherwise (also when interrupted); 64 bad usage.
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  game: { type: 'string', multiple: true },
  'rapid-master': { type: 'string' },
  concurrency: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function progressLine(p: RapidProgress, json: boolean): string {
  const { item, phase, filesDone, filesTotal, bytesDone, bytesTotal, networkBytes, bytesPerSecond } = p;
  if (json) return jsonLine({ at: Date.now(), kind: 'progress', item, phase, filesDone, filesTotal, bytesDone, bytesTotal, networkBytes, bytesPerSecond });
  return `${printable(item, 200)}: ${phase}, ${filesDone}/${filesTotal} files, ${mb(bytesDone)}/${mb(bytesTotal)}, ${mb(bytesPerSecond)}/s`;
}

async function download(dataDir: string, items: readonly string[], master: string, concurrency: number, json: boolean): Promise<number> {
  let client: RapidClient;
  try {
    client = new RapidClient({ dataDir, master, concurrency });
  } catch (error) {
    process.stderr.write(`content: ${error instanceof Error ? printable(error.message) : 'bad arguments'}\n`);
    return EXIT_USAGE;
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let failed = 0;
  try {
    for (const item of items) {
      let latest: RapidProgress | undefined;
      let printed: RapidProgress | undefined;
      const timer = setInterval(() => {
        if (latest && latest !== printed) process.stdout.write(`${progressLine(latest, json)}\n`);
        printed = latest;
      }, 1000);
      try {
        const result = await client.install(item, { signal: controller.signal, onProgress: (p) => { latest = p; } });
        const { name, md5, files, bytes, fetched, networkBytes, unresolvedDepends } = result;
        process.stdout.write(json
          ? `${jsonLine({ at: Date.now(), kind: 'download', item, state: 'done', name, md5, files, bytes, fetched, networkBytes, ...(unresolvedDepends.length > 0 ? { unresolvedDepends } : {}) })}\n`
          : `${printable(item, 200)}: installed ${printable(name, 200)} (${files} files, ${mb(bytes)}; ${fetched} fetched, ${mb(networkBytes)} received)\n`);
      } catch (error) {
        failed++;
        const code = error instanceof RapidError ? error.code : 'internal';
        const message = error instanceof Error ? error.message : String(error);
        const state = code === 'aborted' ? 'cancelled' : 'failed';
        process.stdout.write(json
          ? `${jsonLine({ at: Date.now(), kind: 'download', item, state, error: code, message })}\n`
          : `${printable(item, 200)}: ${state}: ${printable(message)}\n`);
      } finally {
        clearInterval(timer);
      }
      if (controller.signal.aborted) break;
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return failed === 0 && !controller.signal.aborted ? 0 : 1;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: process.argv.slice(2), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`content: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [command, ...rest] = positionals;
  const games = values.game ?? [];
  const concurrency = values.concurrency === undefined ? 8 : Number(values.concurrency);
  if (command !== 'download' || rest.length > 0 || games.length === 0 || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    const why = command !== 'download' ? (command === undefined ? 'a command is needed' : `unknown command: ${printable(command, 40)}`)
      : games.length === 0 ? '--game is needed' : rest.length > 0 ? 'unexpected arguments' : '--concurrency must be 1 to 32';
    process.stderr.write(`content: ${why}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const dataDir = resolve(values['data-dir'] ?? join(homedir(), '.tachyon-lobby', 'content'));
  return download(dataDir, games, values['rapid-master'] ?? DEFAULT_RAPID_MASTER, concurrency, values.json);
}

runCommand('content', main);
