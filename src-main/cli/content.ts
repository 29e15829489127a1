// `npm run content -- download --data-dir <dir> [--game …] [--map …] [--engine …] [--rapid-master <url>] [--files-api <url>] [--json]`:
// rapid games, maps and engines into a data dir in the engine's layout (packages/, pool/, rapid/, maps/, engine/<version>/),
// one progress record a second and a final one per item.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { FileProgress, RapidProgress } from '../core/content';
import { DEFAULT_FILES_API, DEFAULT_RAPID_CONCURRENCY, DEFAULT_RAPID_MASTER, FilesClient, FilesError, RapidClient, RapidError } from '../core/content';
import { EXIT_USAGE, runCommand } from './args';
import { jsonLine, printable } from './printable';

const USAGE = `usage: npm run content -- download [--game <tag-or-name>]... [--map <springName>]... [--engine <version>]... [--data-dir <dir>]
         [--rapid-master <url>] [--files-api <url>] [--json]
  --game <tag-or-name>  a rapid tag (byar:test, rapid://byar:test) or a full package name (repeatable)
  --map <springName>    a map by its spring name, through the files API, into maps/ (repeatable)
  --engine <version>    an engine version, through the files API, unpacked into engine/<version>/ (repeatable)
  --data-dir <dir>      where packages/, pool/, rapid/, maps/ and engine/ go (default ~/.tachyon-lobby/content)
  --rapid-master <url>  the rapid master list (default ${DEFAULT_RAPID_MASTER})
  --files-api <url>     the files API's search address (default ${DEFAULT_FILES_API})
  --concurrency <n>     pool files fetched at once (default ${DEFAULT_RAPID_CONCURRENCY})
  --json                one JSON object per line
Exit code 0 only when every item asked for is installed and verified; 1 otherwise (also when interrupted); 64 bad usage.
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  game: { type: 'string', multiple: true },
  map: { type: 'string', multiple: true },
  engine: { type: 'string', multiple: true },
  'rapid-master': { type: 'string' },
  'files-api': { type: 'string' },
  concurrency: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

type AnyProgress = RapidProgress | FileProgress;

function progressLine(type: Job['type'], p: AnyProgress, json: boolean): string {
  const { item, phase, bytesDone, bytesTotal, networkBytes, bytesPerSecond } = p;
  const files = 'filesDone' in p ? { filesDone: p.filesDone, filesTotal: p.filesTotal } : {};
  if (json) return jsonLine({ at: Date.now(), kind: 'progress', type, item, phase, ...files, bytesDone, bytesTotal, networkBytes, bytesPerSecond });
  if (phase === 'waiting') return `${printable(item, 200)}: waiting for another download of it (another process, same data dir) to finish`;
  const count = 'filesDone' in p ? ` ${p.filesDone}/${p.filesTotal} files,` : '';
  return `${printable(item, 200)}: ${phase},${count} ${mb(bytesDone)}/${mb(bytesTotal)}, ${mb(bytesPerSecond)}/s`;
}

interface Job {
  readonly item: string;
  readonly type: 'game' | 'map' | 'engine';
  run(signal: AbortSignal, onProgress: (p: AnyProgress) => void): Promise<{ record: Record<string, unknown>; line: string }>;
}

interface Clients {
  readonly rapid: RapidClient;
  readonly files: FilesClient;
}

function jobs(clients: Clients, games: readonly string[], maps: readonly string[], engines: readonly string[]): Job[] {
  const game = (item: string): Job => ({
    item, type: 'game',
    async run(signal, onProgress) {
      const { name, md5, files, bytes, fetched, networkBytes, unresolvedDepends } = await clients.rapid.install(item, { signal, onProgress });
      return {
        record: { name, md5, files, bytes, fetched, networkBytes, ...(unresolvedDepends.length > 0 ? { unresolvedDepends } : {}) },
        line: `installed ${printable(name, 200)} (${files} files, ${mb(bytes)}; ${fetched} fetched, ${mb(networkBytes)} received)`,
      };
    },
  });
  const map = (item: string): Job => ({
    item, type: 'map',
    async run(signal, onProgress) {
      const { filename, md5, bytes, fetched, networkBytes } = await clients.files.installMap(item, { signal, onProgress });
      return {
        record: { filename, md5, bytes, fetched, networkBytes },
        line: `installed maps/${printable(filename, 200)} (${mb(bytes)}${fetched ? `; ${mb(networkBytes)} received` : ', already there'})`,
      };
    },
  });
  const engine = (item: string): Job => ({
    item, type: 'engine',
    async run(signal, onProgress) {
      const { version, filename, md5, bytes, files, unpackedBytes, fetched, networkBytes } = await clients.files.installEngine(item, { signal, onProgress });
      return {
        record: { version, filename, md5, bytes, files, unpackedBytes, fetched, networkBytes },
        line: fetched
          ? `installed engine/${printable(version, 100)} (${files} files, ${mb(unpackedBytes)} from a ${mb(bytes)} archive; ${mb(networkBytes)} received)`
          : `engine/${printable(version, 100)} is installed already`,
      };
    },
  });
  return [...games.map(game), ...maps.map(map), ...engines.map(engine)];
}

async function download(clients: Clients, list: readonly Job[], json: boolean): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let failed = 0;
  try {
    for (const job of list) {
      const { item, type } = job;
      let latest: AnyProgress | undefined;
      let printed: AnyProgress | undefined;
      const timer = setInterval(() => {
        if (latest && latest !== printed) process.stdout.write(`${progressLine(type, latest, json)}\n`);
        printed = latest;
      }, 1000);
      try {
        const { record, line } = await job.run(controller.signal, (p) => { latest = p; });
        process.stdout.write(json
          ? `${jsonLine({ at: Date.now(), kind: 'download', type, item, state: 'done', ...record })}\n`
          : `${printable(item, 200)}: ${line}\n`);
      } catch (error) {
        failed++;
        const code = error instanceof RapidError || error instanceof FilesError ? error.code : 'internal';
        const message = error instanceof Error ? error.message : String(error);
        const state = code === 'aborted' ? 'cancelled' : 'failed';
        process.stdout.write(json
          ? `${jsonLine({ at: Date.now(), kind: 'download', type, item, state, error: code, message })}\n`
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
  const maps = values.map ?? [];
  const engines = values.engine ?? [];
  const concurrency = values.concurrency === undefined ? DEFAULT_RAPID_CONCURRENCY : Number(values.concurrency);
  const nothing = games.length + maps.length + engines.length === 0;
  if (command !== 'download' || rest.length > 0 || nothing || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    const why = command !== 'download' ? (command === undefined ? 'a command is needed' : `unknown command: ${printable(command, 40)}`)
      : nothing ? '--game, --map or --engine is needed' : rest.length > 0 ? 'unexpected arguments' : '--concurrency must be 1 to 32';
    process.stderr.write(`content: ${why}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const dataDir = resolve(values['data-dir'] ?? join(homedir(), '.tachyon-lobby', 'content'));
  let clients: Clients;
  try {
    clients = {
      rapid: new RapidClient({ dataDir, master: values['rapid-master'] ?? DEFAULT_RAPID_MASTER, concurrency }),
      files: new FilesClient({ dataDir, filesApi: values['files-api'] ?? DEFAULT_FILES_API }),
    };
  } catch (error) {
    process.stderr.write(`content: ${error instanceof Error ? printable(error.message) : 'bad arguments'}\n`);
    return EXIT_USAGE;
  }
  return download(clients, jobs(clients, games, maps, engines), values.json);
}

runCommand('content', main);
