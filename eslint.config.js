// Lint rules; the import restrictions keep the layering of docs/architecture: the core never depends on Electron or the renderer.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'test-output/', 'release/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src-main/core/**/*.ts', 'src-main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*', 'electron-store'], message: 'The core runs in plain Node: Electron belongs in src-main/electron only.' },
          { group: ['**/src-renderer/**', '**/electron/**'], message: 'The core must not depend on a shell or the renderer.' },
        ],
      }],
    },
  },
  {
    files: ['src-main/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*', 'electron-store', 'node:*'], message: 'The contract is shared with the renderer and the preload: types and plain data only.' },
          { group: ['**/core/**'], allowTypeImports: true, message: 'The contract may name core types, never pull core code into the renderer or preload.' },
        ],
      }],
    },
  },
  {
    files: ['src-renderer/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*', 'electron-store', 'node:*', 'fs', 'path', 'child_process', 'ws'], message: 'The renderer is a sandboxed page: it talks to main only through src-renderer/client.ts.' },
          { group: ['**/src-main/**', '!**/src-main/contract', '!**/src-main/shared', '!**/src-main/shared/*'], message: 'The renderer may import only src-main/contract (the one IPC contract) and src-main/shared (runtime-neutral reducers).' },
        ],
      }],
    },
  },
  {
    files: ['src-main/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*', 'electron-store', 'node:*', 'fs', 'path', 'child_process', 'ws'], message: 'src-main/shared runs in the core, the headless shell and the sandboxed renderer alike: no Node, no Electron.' },
          { group: ['**/core/**', '**/electron/**', '**/cli/**', '**/src-renderer/**'], allowTypeImports: true, message: 'src-main/shared may name core types, never import code from a runtime-specific folder.' },
        ],
      }],
    },
  },
  {
    files: ['src-main/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/core/**', '**/electron/**', 'node:*'], message: 'The preload is a sandboxed bridge: only electron and the contract.' }],
      }],
    },
  },
);
