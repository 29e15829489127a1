// The rapid bench's content server in a process of its own, as a real server is: it makes the package, serves it on
// 127.0.0.1, prints `{"url","masterUrl","poolFiles","wireBytes"}` on one line, and stops when its stdin closes.
import { startContentServer } from '../support/content-server';
import { benchPackage } from './rapid-download';

const pkg = benchPackage();
const server = await startContentServer();
server.publish('byar', 'byar:bench', 'Bench Game 1', pkg);
const wireBytes = [...pkg.pool.values()].reduce((n, gz) => n + gz.length, 0);
process.stdout.write(`${JSON.stringify({ url: server.url, masterUrl: server.masterUrl, poolFiles: pkg.pool.size, wireBytes })}\n`);
process.stdin.resume();
process.stdin.once('end', () => void server.close().then(() => process.exit(0)));
