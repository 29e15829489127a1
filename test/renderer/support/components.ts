// Compiles renderer components for happy-dom tests with the app's own Vue plugin (the root vitest config has none), sharing one store module.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { build } from 'vite';
import type { IpcResult, LobbyBridge } from '../../../src-main/contract';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface BuiltModules {
  load<T>(name: string): Promise<T>;
  dispose(): void;
}

/**
 * Builds `entries` (name → path under src-renderer) as one ES bundle set with Vue and Pinia left external, so the
 * components, the stores and the test share one Vue and one Pinia. The output lives under test-output (inside the
 * repository, so `vue` resolves from its node_modules).
 */
export async function buildRendererModules(entries: Record<string, string>): Promise<BuiltModules> {
  const outDir = path.join(ROOT, 'test-output', 'component-build', `${process.pid}-${Date.now()}`);
  mkdirSync(outDir, { recursive: true });
  await build({
    configFile: false,
    root: path.join(ROOT, 'src-renderer'),
    logLevel: 'silent',
    plugins: [vue()],
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      lib: { entry: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, path.join(ROOT, 'src-renderer', file)])), formats: ['es'] },
      rollupOptions: { external: ['vue', 'pinia', /^@vue\//] },
    },
  });
  return {
    load: async <T>(name: string) => (await import(pathToFileURL(path.join(outDir, `${name}.js`)).href)) as T,
    dispose: () => rmSync(outDir, { recursive: true, force: true }),
  };
}

/** A stand-in `window.lobby` that records each intent (its name, and its payload as JSON) and answers with `answer`. */
export function installRecordingBridge(calls: string[], answer: (name: string) => IpcResult<unknown>): void {
  const bridge: LobbyBridge = {
    invoke: (async (name: string, payload?: unknown) => {
      calls.push(payload === undefined || payload === null ? name : `${name} ${JSON.stringify(payload)}`);
      return answer(name);
    }) as LobbyBridge['invoke'],
    onPatch: () => () => {},
  };
  (globalThis as unknown as { lobby: LobbyBridge }).lobby = bridge;
}
