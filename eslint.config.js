// Lint rules; the import restrictions keep the layering of docs/architecture: the core never depends on Electron or the renderer, the app
// service never on Electron, and each core folder only on the layers below it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import stylistic from '@stylistic/eslint-plugin';

const ELECTRON = ['electron', 'electron/*', 'electron-store'];

// Who may import whom inside src-main/core (docs/architecture's layering; test/structure/import-cycles.test.ts checks there is no cycle).
// Every folder may use log.ts, files/ (the private-file writer) and src-main/shared; lobby-app.ts is the core's composition root, which no folder imports.
const CORE_FOLDERS = ['protocol', 'connection', 'lobby', 'engine', 'server', 'autohost', 'auth', 'local-play', 'player-engine', 'replays', 'content'];
const CORE_LAYERS = {
  protocol: { may: [], why: 'protocol is the bottom layer: endpoint validation only, used by everyone' },
  connection: { may: ['protocol'], why: 'one Tachyon socket, shared by the player lobby and the autohost, so it must not know either' },
  lobby: { may: ['protocol', 'connection'], why: "the player's lobby state over a connection; engines reach it through player-engine" },
  engine: { may: ['protocol'], why: 'running Recoil and reading content knows nothing of lobbies or servers' },
  server: { may: ['protocol'], why: 'the embedded server is a pure Tachyon server: no client-side code, no engine (content comes from local-play)' },
  autohost: { may: ['connection', 'engine', 'protocol', 'auth'], why: "the autohost is a Tachyon client that runs engines and signs in with OAuth client credentials (auth's discovery client); it is not the player lobby" },
  auth: { may: ['connection'], why: 'sign-in needs only the server address rules of the connection' },
  'local-play': { may: ['server', 'autohost', 'engine', 'lobby', 'protocol'], why: 'local play composes the embedded server, the autohost and the content' },
  'player-engine': { may: ['engine', 'lobby', 'protocol'], why: "the player's engine adapts the engine layer to the lobby" },
  replays: { may: ['engine'], why: 'replays read demo files and play them on an installed engine; they know nothing of lobbies or servers' },
  content: { may: ['engine'], why: "content downloads games into the engine's layout (at most the engine's path helpers); it knows nothing of lobbies, servers or the autohost" },
};
// The contract is shared with the renderer and the preload; only payloads.ts (which main alone imports at run time) uses a package.
const CONTRACT_PATTERNS = [
  { group: ['electron', 'electron/*', 'electron-store', 'node:*'], message: 'The contract is shared with the renderer and the preload: types and plain data only.' },
  { group: ['**/core/**'], allowTypeImports: true, message: 'The contract may name core types, never pull core code into the renderer or preload.' },
];
const ABOVE_CORE = [
  { group: ELECTRON, message: 'The core runs in plain Node: Electron belongs in src-main/electron only.' },
  { group: ['**/src-renderer/**', '**/electron/**', '**/app/**'], message: 'The core must not depend on a shell, the app service or the renderer.' },
];
function coreFolderRules(folder, { may, why }) {
  const banned = CORE_FOLDERS.filter((f) => f !== folder && !may.includes(f)).concat('lobby-app');
  return {
    files: [`src-main/core/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...ABOVE_CORE,
          {
            regex: `^(\\.\\./)+(${banned.join('|')})(/|$)`,
            message: `core/${folder} may import only ${[...may, 'log', 'shared'].join(', ')}: ${why}.`,
          },
        ],
      }],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'test-output/', 'release/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    // <script setup lang="ts">: vue-eslint-parser splits the blocks, typescript-eslint parses the script.
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
    rules: {
      'vue/block-lang': ['error', { script: { lang: 'ts' } }],
      // vue-tsc checks names, and knows the DOM globals; typescript-eslint turns this off for .ts files for the same reason.
      'no-undef': 'off',
      // Layout, not correctness: the templates keep their dense one-line elements until a formatter settles the style for all files.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/first-attribute-linebreak': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.vue'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Type-aware rules: a promise nobody awaits or voids is an unhandled rejection waiting to happen, and a switch over a
    // union must name every member (or say why it has a default).
    files: ['src-main/**/*.ts', 'test/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    // Only the typed wrappers touch raw IPC (GitHub Desktop's rule): electron/ipc.ts checks the sender and validates, the preload is the page's end.
    files: ['**/*.ts'],
    ignores: ['src-main/electron/ipc.ts', 'src-main/electron/main.ts', 'src-main/preload/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', importNames: ['ipcMain', 'ipcRenderer'], message: 'Raw IPC only in src-main/electron/ipc.ts (main.ts passes ipcMain in) and the preload: everything else goes through registerLobbyIpc.' }],
      }],
    },
  },
  {
    files: ['src-main/core/**/*.ts', 'src-main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ABOVE_CORE }],
    },
  },
  {
    files: ['src-main/core/log.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [...ABOVE_CORE, { regex: `^\\./(${CORE_FOLDERS.join('|')}|lobby-app)(/|$)`, message: 'core/log.ts is the leaf every layer uses: it imports no core folder.' }],
      }],
    },
  },
  ...Object.entries(CORE_LAYERS).map(([folder, layer]) => coreFolderRules(folder, layer)),
  {
    files: ['src-main/app/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ELECTRON, message: 'src-main/app is the app service the browser test bridge runs in plain Node: what needs Electron goes in src-main/electron, passed in by main.ts.' },
          { group: ['**/electron/**', '**/src-renderer/**'], message: 'src-main/app must not depend on the Electron shell or the renderer (the shell depends on the app, not the other way).' },
        ],
      }],
    },
  },
  {
    files: ['src-main/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: CONTRACT_PATTERNS }],
    },
  },
  {
    // The preload bundles index.ts: it takes the payloads' types only, so the sandboxed preload carries no TypeBox.
    files: ['src-main/contract/index.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...CONTRACT_PATTERNS,
          { group: ['./payloads'], allowTypeImports: true, message: 'index.ts takes only the payload types from payloads.ts (import type): the preload and the page bundle index.ts, and the schemas are for main.' },
        ],
      }],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.vue'],
    rules: {
      'vue/no-v-html': 'error',
      'no-restricted-syntax': ['error',
        { selector: 'ImportExpression', message: 'No import() in the renderer: the import rules below see only static imports, and the page is one bundle.' },
        { selector: 'MemberExpression[property.name=/^(innerHTML|outerHTML|insertAdjacentHTML)$/]', message: 'Never render HTML from data: let Vue write text.' },
      ],
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^(?!(vue|pinia)$)[^.]', message: 'The renderer uses only vue and pinia from npm: anything else is shipped to a sandboxed page and widens what it runs.' },
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
        patterns: [
          { group: ['**/core/**', '**/electron/**', 'node:*'], message: 'The preload is a sandboxed bridge: only electron and the contract.' },
          { group: ['**/contract/payloads'], message: 'The payload schemas are checked in main (src-main/app/lobby-service.ts); the preload checks only the names (contract/index.ts).' },
        ],
      }],
    },
  },
  {
    // The layout every file keeps, checked by `npm run lint` and applied by `npm run format` (eslint --fix): two-space
    // indents, single quotes, semicolons, trailing commas on multi-line lists, one blank line at most, lines of at most
    // 180 characters (long strings and addresses excepted).
    files: ['**/*.ts', '**/*.js', '**/*.vue'],
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, flatTernaryExpressions: true }],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/eol-last': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1 }],
      '@stylistic/object-curly-spacing': ['error', 'always'],
      '@stylistic/keyword-spacing': 'error',
      '@stylistic/space-infix-ops': 'error',
      '@stylistic/comma-spacing': 'error',
      '@stylistic/arrow-parens': ['error', 'always'],
      '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
      '@stylistic/max-len': ['error', { code: 180, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
    },
  },
  {
    // TypeBox costs about 20 MB and a quarter of a second to load: at run time the lobby uses the schemas `npm run schemas`
    // writes (core/protocol/schemas/current-revision.json, contract/payload-schemas.json); only the declarations themselves
    // and their generators load TypeBox. Its types are free everywhere.
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/core/protocol/schemas/**', 'src-main/contract/payloads.ts', 'src-main/app/write-payload-schemas.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['typebox', 'typebox/*'], allowTypeImports: true, message: 'Load schemas from core/protocol/schemas/current-revision.json; import TypeBox only for its types.' },
          { regex: '(^|/)schemas/(?!current-revision\\.json$)[^/]+$', allowTypeImports: true, message: 'The TypeBox declarations are for types and `npm run schemas`; run time uses current-revision.json.' },
          { regex: '(^|/)contract/payloads$', allowTypeImports: true, message: 'The payload declarations are for types and `npm run schemas`; run time uses contract/payload-schemas.json.' },
        ],
      }],
    },
  },
);
