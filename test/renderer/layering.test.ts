// Renderer rules lint cannot see inside .vue files: imports only vue, pinia, the contract, src-main/shared and itself; `lobby` touched only in client.ts; no v-html.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../src-renderer');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return files(full);
    return /\.(ts|vue)$/.test(entry.name) ? [full] : [];
  });
}

describe('renderer layering', () => {
  const sources = files(ROOT).map((file) => ({ file: path.relative(ROOT, file), text: readFileSync(file, 'utf8') }));

  it('imports only vue, pinia, the contract, the shared reducers and renderer files', () => {
    for (const { file, text } of sources) {
      for (const [, spec] of text.matchAll(/from\s+'([^']+)'/g)) {
        const resolved = spec!.startsWith('.') ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec!)) : spec!;
        const allowed = ['vue', 'pinia'].includes(resolved) || resolved === '../src-main/contract' || resolved.startsWith('../src-main/shared/') || !resolved.startsWith('..');
        expect(allowed, `${file} imports ${spec}`).toBe(true);
      }
    }
  });

  it('reaches the bridge only through client.ts', () => {
    for (const { file, text } of sources) {
      if (file === 'client.ts' || file === 'env.d.ts') continue;
      expect(/\bwindow\.lobby\b|globalThis|\blobby\.(invoke|onPatch)/.test(text), file).toBe(false);
    }
  });

  it('never renders HTML from data', () => {
    for (const { file, text } of sources) expect(/v-html|innerHTML|insertAdjacentHTML/.test(text), file).toBe(false);
  });
});
