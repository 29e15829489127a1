// The test guard that keeps every test on this computer: a connect to an address off it is refused before anything is
// sent (no DNS lookup, no packet), with words; loopback addresses go through as before.
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, takeRefused } from '../support/loopback-guard';

describe('loopback guard', () => {
  it('refuses a connect off this computer, by address and by name, and lets 127.0.0.1 through', async () => {
    const refused = (socket: net.Socket) => new Promise<Error>((resolve) => socket.once('error', resolve));
    const byAddress = await refused(net.connect(443, '192.0.2.1'));
    expect(byAddress.message).toBe('test guard: connecting to 192.0.2.1:443 is refused (tests reach 127.0.0.1 only)');
    const request = http.get('http://files-cdn.beyondallreason.dev/find');
    const byName = await new Promise<Error>((resolve) => request.once('error', resolve));
    expect(byName.message).toContain('files-cdn.beyondallreason.dev:80 is refused');
    expect(takeRefused()).toEqual(['192.0.2.1:443', 'files-cdn.beyondallreason.dev:80']);

    const server = http.createServer((_req, res) => res.end('here'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const body = await new Promise<string>((resolve, reject) => {
      http.get(`http://127.0.0.1:${port}/`, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += c.toString(); });
        res.on('end', () => resolve(text));
      }).once('error', reject);
    });
    await new Promise((resolve) => server.close(resolve));
    expect(body).toBe('here');
    expect(takeRefused()).toEqual([]);
  });

  it('knows the loopback names', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['10.0.0.1', '128.0.0.1', 'example.org', '::', '0.0.0.0', 'localhost.example']) expect(isLoopbackHost(host), host).toBe(false);
  });
});
