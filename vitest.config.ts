// Test runner settings: real sockets and real processes, so tests run one file at a time per worker and get generous timeouts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Type-level tests live in *.test-d.ts: tsc checks them in the same run, and a type error there fails it.
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './test/tsconfig.type-tests.json',
    },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['./test/support/global-secrets.ts'],
    // Every test file must leave no socket, server, timer or child process behind, and reach no address but this computer's.
    setupFiles: ['./test/support/leak-check.ts', './test/support/loopback-guard.ts'],
    pool: 'forks',
  },
});
