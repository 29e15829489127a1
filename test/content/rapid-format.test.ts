// Rapid's index formats read on their own: repos.gz, versions.gz, the .sdp and its name, the rapid/ cache path, the
// streamer's bit array.
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { findVersion, normaliseRequest, parseRepos, parseVersions, RapidError, readSdp, sdpDigest, streamerBits, urlCachePath } from '../../src-main/core/content';
import { packFiles, sdpEntryBytes } from '../support/rapid-packer';

const gz = (text: string) => zlib.gzipSync(text);
const A = '52a86b5de454a39db2546017c2e6948d';

describe('versions.gz and repos.gz', () => {
  it('reads comma fields, empty depends, several tags for one md5, names with commas, CRLF; skips lines of another shape', () => {
    const versions = parseVersions(gz(`nota:revision:1,${A},,NOTA test-1\r\nbyar:test,${A.toUpperCase()},a|b,Beyond, All\nbroken line\nx,nothex,,Y\n`));
    expect(versions).toEqual([
      { tag: 'nota:revision:1', md5: A, depends: [], name: 'NOTA test-1' },
      { tag: 'byar:test', md5: A, depends: ['a', 'b'], name: 'Beyond, All' },
    ]);
    expect(findVersion(versions, 'Beyond, All')?.tag).toBe('byar:test');
    expect(findVersion(versions, 'BYAR:TEST')).toBeUndefined(); // exact and case-sensitive, as pr-downloader matches
  });

  it('strips rapid:// and refuses what would match everything', () => {
    expect(normaliseRequest('rapid://byar:test')).toBe('byar:test');
    for (const bad of ['', '*', 'rapid://', 'a\nb']) expect(() => normaliseRequest(bad)).toThrow(RapidError);
  });

  it('repos.gz: name and base URL; a line of two fields is an error', () => {
    expect(parseRepos(gz('byar,https://repos-cdn.beyondallreason.dev/byar,,\nmain,http://127.0.0.1:8080/main/,,\n'))).toEqual([
      { name: 'byar', url: 'https://repos-cdn.beyondallreason.dev/byar' },
      { name: 'main', url: 'http://127.0.0.1:8080/main' },
    ]);
    expect(() => parseRepos(gz('byar,https://x.invalid/byar\n'))).toThrow(/too few fields/);
  });

  it('caches under rapid/<host[-port]>/<path>, as pr-downloader names it', () => {
    expect(urlCachePath(new URL('http://127.0.0.1:18480/byar'))).toEqual(['127.0.0.1-18480', 'byar']);
    expect(urlCachePath(new URL('https://repos-cdn.beyondallreason.dev/repos.gz'))).toEqual(['repos-cdn.beyondallreason.dev', 'repos.gz']);
  });
});

describe('the .sdp', () => {
  it('parses what the packer writes, and its name is the digest over MD5(name) and each MD5', () => {
    const pkg = packFiles(new Map([['modinfo.lua', Buffer.from('return {}')], ['LuaRules/main.lua', Buffer.from('-- main')]]));
    const entries = readSdp(pkg.sdp, pkg.md5);
    expect(entries.map((e) => e.name)).toEqual(['luarules/main.lua', 'modinfo.lua']);
    expect(entries.map((e) => ({ md5: e.md5, size: e.size, crc32: e.crc32 }))).toEqual(pkg.files.map((f) => ({ md5: f.md5, size: f.size, crc32: f.crc32 })));
    expect(sdpDigest(entries)).toBe(pkg.md5);
    expect(() => readSdp(pkg.sdp, A)).toThrow(/does not match its name/);
  });

  it('refuses a cut entry and a 255-byte name running past the end', () => {
    const entry = sdpEntryBytes('a.lua', A, 1, 2);
    expect(() => readSdp(gz(entry.subarray(0, 10).toString('latin1')), A)).toThrow(/cut short/);
    expect(() => readSdp(zlib.gzipSync(Buffer.from([255, 0x61])), A)).toThrow(/cut short/);
  });
});

describe('the streamer request', () => {
  it('one bit per entry, least significant first, files / 8 + 1 bytes; an entry outside the package is refused', () => {
    expect(streamerBits(3, [0, 1, 2]).toString('hex')).toBe('07');
    expect(streamerBits(3, [0, 1]).toString('hex')).toBe('03');
    expect(streamerBits(3, []).toString('hex')).toBe('00');
    expect(streamerBits(8, [7]).toString('hex')).toBe('8000');
    expect(streamerBits(17, [0, 8, 9, 16]).toString('hex')).toBe('010301');
    expect(() => streamerBits(3, [3])).toThrow(RangeError);
    expect(() => streamerBits(3, [-1])).toThrow(RangeError);
  });
});
