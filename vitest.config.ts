import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Multi-process and crash tests fork real children; CI has two cores.
    pool: 'forks',
    maxWorkers: 2,
    // The JSON report gives .ci/run vitest's real pass/fail counts.
    reporters: ['default', 'json'],
    outputFile: { json: '.scratch/vitest-report.json' },
  },
});
