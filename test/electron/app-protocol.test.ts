// app://lobby/ serves files under the renderer folder only, with the CSP header.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src-main/app/csp';
import { createAppProtocolHandler, resolveAppFile } from '../../src-main/electron/app-protocol';

const root = mkdtempSync(path.join(tmpdir(), 'lobby-renderer-'));
writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>x</title>');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('app protocol', () => {
  it('serves files with the CSP header', async () => {
    const response = await createAppProtocolHandler(root)(new Request('app://lobby/index.html'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('content-type')).toContain('text/html');
  });

  it('refuses traversal, other hosts and missing files', async () => {
    // URL parsing folds `..` away, so this stays inside the root.
    expect(resolveAppFile(root, 'app://lobby/../../etc/passwd')).toBe(path.join(root, 'etc', 'passwd'));
    expect(resolveAppFile(root, 'app://lobby/%2e%2e/%2e%2e/etc/passwd')).toBe(path.join(root, 'etc', 'passwd'));
    expect(resolveAppFile(root, 'app://lobby/..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(resolveAppFile(root, 'app://evil/index.html')).toBeNull();
    expect(resolveAppFile(root, 'app://lobby/a%00b')).toBeNull();
    const missing = await createAppProtocolHandler(root)(new Request('app://lobby/nope.js'));
    expect(missing.status).toBe(404);
  });
});
