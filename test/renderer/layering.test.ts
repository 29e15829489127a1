// The renderer rule lint does not state: the bridge (`window.lobby`) is touched only in client.ts. Imports, import() and v-html are lint rules (eslint.config.js).
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

  it('reaches the bridge only through client.ts', () => {
    for (const { file, text } of sources) {
      if (file === 'client.ts' || file === 'env.d.ts') continue;
      expect(/\bwindow\.lobby\b|globalThis|\blobby\.(invoke|onPatch)/.test(text), file).toBe(false);
    }
  });
});
