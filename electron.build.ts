// Builds the Electron side into dist/: main (ESM, node packages left to node_modules) and the sandboxed preload (one CommonJS file, only `electron` external).
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node22', sourcemap: true, logLevel: 'warning' } as const;

await Promise.all([
  build({
    ...common,
    entryPoints: ['src-main/electron/main.ts'],
    outfile: 'dist/main/main.js',
    format: 'esm',
    packages: 'external',
  }),
  // A sandboxed preload cannot `require` anything but electron: everything it uses (the contract's names) is bundled in.
  build({
    ...common,
    entryPoints: ['src-main/preload/index.ts'],
    outfile: 'dist/preload/index.cjs',
    format: 'cjs',
    external: ['electron'],
  }),
]);
console.log('built dist/main/main.js and dist/preload/index.cjs');
