import { defineConfig } from 'vitest/config';

// Two projects run one after the other: the pure and in-process tests (unit, simulations, fuzzing, test
// helpers) on every core, then the integration tests one file at a time, because they start real
// processes and wait on timeouts (sessions, elections) that a second file's CPU load would stretch.
export default defineConfig({
  test: {
    pool: 'forks',
    globalSetup: ['test/helpers/build-dist.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'in-process',
          include: ['test/{unit,sim,fuzz,helpers}/**/*.test.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
