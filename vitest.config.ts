import { configDefaults, defineConfig } from 'vitest/config';

/** Each target's conformance kit run (test/support/target-conformance.ts): it needs the real stack. */
const TARGET_CONFORMANCE = 'test/targets/**/*.conformance.test.ts';

export default defineConfig({
  test: {
    // The Temporal native runtime wants a process of its own, not a worker thread.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        // Pure code and connectors against their vendor fakes: no Temporal, no store.
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/connectors/**/*.test.ts', 'test/targets/**/*.test.ts'],
          exclude: [...configDefaults.exclude, TARGET_CONFORMANCE],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', TARGET_CONFORMANCE],
          // Starts the real local stack (Temporal dev server + MongoDB-compatible store) once per run.
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
