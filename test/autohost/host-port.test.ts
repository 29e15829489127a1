// Picking the battle's UDP port: a failed bind leaves no socket open.
import { describe, expect, it } from 'vitest';
import { pickHostPort } from '../../src-main/core/autohost/host-port';
import { socketInodesOf } from '../../src-main/core/engine/udp-socket-owner';

describe('pickHostPort', () => {
  it('answers a port of 1024 or more on the bind address', async () => {
    const port = await pickHostPort('127.0.0.1', new Set());
    expect(port).toBeGreaterThanOrEqual(1024);
  });

  it('closes its probe socket when the bind fails', async () => {
    const before = socketInodesOf(process.pid).size;
    // An address this machine does not have (TEST-NET-1, RFC 5737): the bind fails with EADDRNOTAVAIL; nothing is sent.
    await expect(pickHostPort('192.0.2.1', new Set())).rejects.toThrow(/EADDRNOTAVAIL/);
    expect(socketInodesOf(process.pid).size).toBe(before);
  });
});
