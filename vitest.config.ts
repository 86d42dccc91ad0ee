import { defineConfig } from 'vitest/config';

/**
 * Two lanes. `unit`: the tests beside the code, pure (no servers), seconds in all — `npm run test:unit`, and the
 * first step of `npm test`. `integration`: test/**, against real Redis, PostgreSQL (started once for the run by
 * test/global-setup.ts), chDB and Chromium.
 */
export default defineConfig({
  test: {
    // Each test file is its own process: chDB binds one data directory per process.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['**/*.test.ts'], exclude: ['test/**', 'node_modules/**', 'data/**'] },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: ['node_modules/**', 'data/**'], globalSetup: ['test/global-setup.ts'] },
      },
    ],
  },
});
