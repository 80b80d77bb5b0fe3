import { defineConfig } from 'vitest/config';

// Real third-party clients against a running Skein. Needs the Debian packages from .ci/install-clients;
// the npm ones (compat/clients) are installed by the global setup.
export default defineConfig({
  test: {
    include: ['compat/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/helpers/build-dist.ts', 'compat/helpers/npm-clients.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
