// The cluster suite: service instances on the Patroni cluster of `npm run cluster:up`, through
// HAProxy. Its own config (not vitest.config.ts) so that `npm test` neither runs nor skips it;
// scripts/cluster/ci.sh runs it with CLUSTER_DATABASE_URL set. See docs/operations.md.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/cluster/**/*.cluster.ts'],
    globalSetup: ['test/cluster/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
