// Test support: a local content server on 127.0.0.1:0 — the rapid master list, repositories (versions.gz, .sdp, pool by
// plain GET and by pr-downloader's streamer POST), the files API (`/find`) with the maps and engine archives it names,
// `HEAD` and `Range` on every file — with fault switches (streamer-only repositories and broken streamer answers too)
// and a log of every request.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { RapidPackage } from './rapid-packer';

export interface LoggedRequest {
  readonly method: string;
  readonly url: string;
  /** The If-None-Match header sent, if any. */
  readonly ifNoneMatch?: string;
  /** For a streamer POST: the indexes of the files asked for, in sdp order. */
  readonly streamerFiles?: readonly number[];
  /** For a streamer POST: the gunzipped bit array, in hex. */
  readonly streamerBits?: string;
  /** The Range header sent, if any. */
  readonly range?: string;
}

/** A map or engine archive the files API names. */
export interface PublishedFile {
  readonly category: 'map' | 'engine_linux64' | 'engine_windows64';
  readonly springname: string;
  readonly filename: string;
  /** Where it is served: `/maps/<filename>` or `/engine/<springname>/<filename>`. */
  readonly path: string;
  readonly data: Buffer;
  readonly md5: string;
}

export interface ContentFaults {
  /** A status (404, 500, …) for a request path such as `/byar/versions.gz`. */
  readonly status: Map<string, number>;
  /** Paths whose next N requests are answered 503, then served: a server that recovers. */
  readonly flaky: Map<string, number>;
  /** Pool files (by MD5) served as valid gzip of content of the same size with one byte changed: their MD5 does not match. */
  readonly tampered: Set<string>;
  /** Pool files (by MD5) served as bytes that are not gzip at all. */
  readonly garbled: Set<string>;
  /** Paths whose body stops after this many bytes, the connection dropped, though Content-Length promised all of it. */
  readonly cut: Map<string, number>;
  /** Paths whose body sends half, then waits for `release(path)` (or the client going away): progress and cancel tests. */
  readonly held: Set<string>;
  /** Paths sent in chunks of this many bytes, one per event-loop turn (setImmediate), for progress events. */
  readonly trickle: Map<string, number>;
  /** Raw bytes served for a path in place of the real file (hostile indexes). */
  readonly replace: Map<string, Buffer>;
  /** Files (by spring name) whose /find entry carries a wrong MD5. */
  readonly wrongMd5: Set<string>;
  /** Files (by spring name) whose /find entry carries a wrong size. */
  readonly wrongSize: Set<string>;
  /** Paths served at most this many bytes every 20 ms: a slow mirror. */
  readonly throttle: Map<string, number>;
  /** Paths that ignore Range and send the whole file (200). */
  readonly noRange: Set<string>;
  /** Repositories whose pool files answer a GET with this status (404, 405, 501): only their streamer serves them. */
  readonly streamerOnly: Map<string, number>;
  /** Pool files (by MD5) whose frame in a streamer answer states this length instead of their own. */
  readonly frameLength: Map<string, number>;
  /** Pool files (by MD5) left out of a streamer answer that asked for them. */
  readonly unstreamed: Set<string>;
}

export interface ContentServer {
  readonly url: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>/repos.gz`. */
  readonly masterUrl: string;
  readonly requests: LoggedRequest[];
  readonly faults: ContentFaults;
  /** Adds a package to a repository under a tag and name (moving the tag when it pointed elsewhere): versions.gz changes. */
  publish(repo: string, tag: string, name: string, pkg: RapidPackage, depends?: readonly string[]): void;
  /** The body a held path is waiting to send: the rest is sent now. */
  release(path: string): void;
  /** Resolves when a held path has sent its first half. */
  waitHeld(path: string): Promise<void>;
  versionsText(repo: string): string;
  /** The pool file paths requested (`xx/yyyy.gz`), in order. */
  poolRequests(): string[];
  /**
   * A map or engine archive for the files API: served at `/maps/<filename>` (maps) or `/engine/<springname>/<filename>`,
   * listed by `/find` with its MD5, size and mirrors (default: that path here; `mirrors` puts others, in order, before it).
   */
  publishFile(category: PublishedFile['category'], springname: string, filename: string, data: Buffer, options?: { mirrors?: readonly string[]; omitMd5?: boolean; omitSize?: boolean }): PublishedFile;
  /** The requests for a path (the files API's, a map's), in order. */
  requestsFor(path: string): LoggedRequest[];
  /** Resolves once `count` requests for a path have arrived. */
  waitRequests(path: string, count: number): Promise<void>;
  close(): Promise<void>;
}

interface Published {
  tag: string;
  md5: string;
  depends: readonly string[];
  name: string;
}

export async function startContentServer(): Promise<ContentServer> {
  const repos = new Map<string, Published[]>();
  const packages = new Map<string, RapidPackage>();
  const pool = new Map<string, Buffer>();
  const requests: LoggedRequest[] = [];
  const faults: ContentFaults = {
    status: new Map(), flaky: new Map(), tampered: new Set(), garbled: new Set(), cut: new Map(), held: new Set(), trickle: new Map(), replace: new Map(),
    wrongMd5: new Set(), wrongSize: new Set(), throttle: new Map(), noRange: new Set(), streamerOnly: new Map(), frameLength: new Map(), unstreamed: new Set(),
  };
  const files = new Map<string, PublishedFile>();
  const findEntries: Array<{ file: PublishedFile; mirrors: readonly string[]; omitMd5: boolean; omitSize: boolean }> = [];
  const releases = new Map<string, () => void>();
  const heldWaiters = new Map<string, Array<() => void>>();
  const heldSent = new Set<string>();
  const requestWaiters = new Set<() => void>();
  const logRequest = (entry: LoggedRequest) => {
    requests.push(entry);
    for (const check of [...requestWaiters]) check();
  };
  let base = '';

  const versionsText = (repo: string) => [...(repos.get(repo) ?? [])].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
    .map((v) => `${v.tag},${v.md5},${v.depends.join('|')},${v.name}\n`).join('');

  /** A pool file as served, by GET or through the streamer alike. */
  function poolBody(md5: string): Buffer | undefined {
    const gz = pool.get(md5);
    if (gz === undefined) return undefined;
    if (faults.tampered.has(md5)) {
      // Same size, one byte changed: only the MD5 tells.
      const data = zlib.gunzipSync(gz);
      data[0] = data[0]! ^ 1;
      return zlib.gzipSync(data);
    }
    if (faults.garbled.has(md5)) return Buffer.from(gz.map((b, i) => (i > 10 ? b ^ 0x5a : b)));
    return gz;
  }

  /** `/find?category=…&springname=…`: the entries of that category whose spring name matches, case-insensitively. */
  function find(params: URLSearchParams): Buffer {
    const category = params.get('category');
    const name = (params.get('springname') ?? '').toLowerCase();
    const answer = findEntries.filter((e) => e.file.category === category && e.file.springname.toLowerCase() === name).map(({ file: f, mirrors, omitMd5, omitSize }) => ({
      category: f.category, springname: f.springname, filename: f.filename, path: f.path.slice(1), timestamp: '2026-12-01T00:00:00',
      ...(omitMd5 ? {} : { md5: faults.wrongMd5.has(f.springname) ? createHash('md5').update('not it').digest('hex') : f.md5 }),
      ...(omitSize ? {} : { size: f.data.length + (faults.wrongSize.has(f.springname) ? 1 : 0) }),
      mirrors,
    }));
    return Buffer.from(JSON.stringify(answer));
  }

  function file(method: string, pathname: string, query: string, body: Buffer): Buffer | undefined {
    if (pathname === '/find') return find(new URLSearchParams(query));
    const published = files.get(pathname);
    if (published) return published.data;
    if (pathname === '/repos.gz') return zlib.gzipSync([...repos.keys()].map((r) => `${r},${base}/${r},,\n`).join(''));
    const m = /^\/([^/]+)\/(versions\.gz|packages\/([0-9a-f]{32})\.sdp|pool\/([0-9a-f]{2})\/([0-9a-f]{30})\.gz|streamer\.cgi)$/.exec(pathname);
    if (!m || !repos.has(m[1]!)) return undefined;
    if (m[2] === 'versions.gz') return zlib.gzipSync(versionsText(m[1]!));
    if (m[3]) return packages.get(m[3])?.sdp;
    if (m[4]) return poolBody(m[4] + m[5]);
    if (method !== 'POST') return undefined;
    // pr-downloader's streamer: gzip(bit array) of the wanted files in sdp order; answer each as a 4-byte big-endian length + its pool gzip.
    const pkg = packages.get(query);
    if (!pkg) return undefined;
    const bits = zlib.gunzipSync(body);
    const parts: Buffer[] = [];
    pkg.files.forEach((f, i) => {
      if ((bits[i >> 3]! >> (i & 7)) & 1 && !faults.unstreamed.has(f.md5)) {
        const gz = poolBody(f.md5)!;
        const length = Buffer.alloc(4);
        length.writeUInt32BE(faults.frameLength.get(f.md5) ?? gz.length);
        parts.push(length, gz);
      }
    });
    return Buffer.concat(parts);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
      const pathname = parsed.pathname;
      const body = Buffer.concat(chunks);
      const query = parsed.search.slice(1);
      const inm = req.headers['if-none-match'];
      const range = req.headers.range;
      const entry: LoggedRequest = {
        method: req.method ?? '', url: req.url ?? '', ...(typeof inm === 'string' ? { ifNoneMatch: inm } : {}), ...(typeof range === 'string' ? { range } : {}),
      };
      if (pathname.endsWith('/streamer.cgi')) {
        const pkg = packages.get(query);
        const bits = body.length > 0 ? zlib.gunzipSync(body) : Buffer.alloc(0);
        const wanted = pkg ? pkg.files.map((_f, i) => i).filter((i) => (bits[i >> 3]! >> (i & 7)) & 1) : [];
        logRequest({ ...entry, streamerFiles: wanted, streamerBits: bits.toString('hex') });
      } else {
        logRequest(entry);
      }
      const flaky = faults.flaky.get(pathname) ?? 0;
      if (flaky > 0) faults.flaky.set(pathname, flaky - 1);
      const poolOf = req.method === 'GET' ? /^\/([^/]+)\/pool\//.exec(pathname)?.[1] : undefined;
      const status = flaky > 0 ? 503 : faults.status.get(pathname) ?? (poolOf === undefined ? undefined : faults.streamerOnly.get(poolOf));
      if (status !== undefined) {
        res.writeHead(status, { 'content-type': 'text/plain' }).end(`status ${status}\n`);
        return;
      }
      const data = faults.replace.get(pathname) ?? file(req.method ?? 'GET', pathname, query, body);
      if (data === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      // versions.gz has an ETag (its text's MD5), and a matching If-None-Match gets 304.
      const repoOfVersions = /^\/([^/]+)\/versions\.gz$/.exec(pathname)?.[1];
      const etag = repoOfVersions && !faults.replace.has(pathname) ? `"${createHash('md5').update(versionsText(repoOfVersions)).digest('hex')}"` : undefined;
      if (etag && inm === etag) {
        res.writeHead(304, { etag }).end();
        return;
      }
      // Range (`bytes=N-` and `bytes=N-M`) on every file but the index answers; past the end is 416.
      const asked = typeof range === 'string' && !faults.noRange.has(pathname) && pathname !== '/find' ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
      if (asked) {
        const first = Number(asked[1]);
        const last = Math.min(asked[2] ? Number(asked[2]) : data.length - 1, data.length - 1);
        if (first >= data.length || last < first) {
          res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
          return;
        }
        const slice = data.subarray(first, last + 1);
        res.writeHead(206, {
          'content-type': 'application/octet-stream', 'content-length': String(slice.length), 'content-range': `bytes ${first}-${last}/${data.length}`, 'accept-ranges': 'bytes',
        });
        if (req.method === 'HEAD') return void res.end();
        send(pathname, slice, res);
        return;
      }
      const type = pathname === '/find' ? 'application/json' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type, 'content-length': String(data.length), 'accept-ranges': 'bytes', ...(etag ? { etag } : {}) });
      if (req.method === 'HEAD') return void res.end();
      send(pathname, data, res);
    });
  });

  function send(pathname: string, data: Buffer, res: http.ServerResponse): void {
    const cut = faults.cut.get(pathname);
    if (cut !== undefined) {
      res.write(data.subarray(0, cut), () => res.destroy());
      return;
    }
    if (faults.held.has(pathname)) {
      const half = Math.floor(data.length / 2);
      res.write(data.subarray(0, half), () => {
        heldSent.add(pathname);
        for (const wake of heldWaiters.get(pathname)?.splice(0) ?? []) wake();
      });
      const release = () => { releases.delete(pathname); res.end(data.subarray(half)); };
      releases.set(pathname, release);
      res.once('close', () => { if (releases.get(pathname) === release) releases.delete(pathname); });
      return;
    }
    const rate = faults.throttle.get(pathname);
    if (rate !== undefined) {
      let at = 0;
      const next = () => {
        if (res.destroyed) return;
        if (at >= data.length) return void res.end();
        const chunk = data.subarray(at, at + rate);
        at += rate;
        res.write(chunk, () => setTimeout(next, 20));
      };
      next();
      return;
    }
    const step = faults.trickle.get(pathname);
    if (step !== undefined) {
      let at = 0;
      const next = () => {
        if (res.destroyed) return;
        if (at >= data.length) return void res.end();
        res.write(data.subarray(at, at + step), () => setImmediate(next));
        at += step;
      };
      next();
      return;
    }
    res.end(data);
  }

  const requestsFor = (path: string) => requests.filter((r) => new URL(r.url, 'http://127.0.0.1').pathname === path);

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    port,
    masterUrl: `${base}/repos.gz`,
    requests,
    faults,
    publish(repo, tag, name, pkg, depends = []) {
      packages.set(pkg.md5, pkg);
      for (const [md5, gz] of pkg.pool) pool.set(md5, gz);
      const list = (repos.get(repo) ?? []).filter((v) => v.tag !== tag);
      list.push({ tag, md5: pkg.md5, depends, name });
      repos.set(repo, list);
    },
    release(path) {
      releases.get(path)?.();
    },
    waitHeld(path) {
      return new Promise<void>((resolve) => {
        if (heldSent.has(path)) return resolve();
        const list = heldWaiters.get(path) ?? [];
        list.push(resolve);
        heldWaiters.set(path, list);
      });
    },
    versionsText,
    publishFile(category, springname, filename, data, options = {}) {
      const where = category === 'map' ? `/maps/${encodeURIComponent(filename)}` : `/engine/${encodeURIComponent(springname)}/${encodeURIComponent(filename)}`;
      const published: PublishedFile = { category, springname, filename, path: where, data, md5: createHash('md5').update(data).digest('hex') };
      files.set(where, published);
      for (let i = findEntries.length - 1; i >= 0; i--) if (findEntries[i]!.file.category === category && findEntries[i]!.file.springname === springname) findEntries.splice(i, 1);
      findEntries.push({ file: published, mirrors: [...(options.mirrors ?? []), `${base}${where}`], omitMd5: options.omitMd5 ?? false, omitSize: options.omitSize ?? false });
      return published;
    },
    requestsFor,
    waitRequests(path, count) {
      return new Promise<void>((resolve) => {
        const check = () => {
          if (requestsFor(path).length < count) return;
          requestWaiters.delete(check);
          resolve();
        };
        requestWaiters.add(check);
        check();
      });
    },
    poolRequests: () => requests.filter((r) => r.method === 'GET' && r.url.includes('/pool/')).map((r) => r.url.replace(/^.*\/pool\//, '')),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
