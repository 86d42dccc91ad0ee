import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each test file is its own process: chDB binds one data directory per process.
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
