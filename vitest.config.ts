import { configDefaults, defineConfig } from 'vitest/config';

// Tests that run the benchmark scripts or their measuring machinery: slow, and about the tools
// rather than the service's rules. `vitest run` runs both projects; `--project behaviour` the rest.
const BENCH = ['test/bench/**/*.test.ts'];

const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks',
} as const;

export default defineConfig({
  test: {
    // The root's global setup runs once per run, whichever projects it selects.
    globalSetup: ['test/support/global-setup.ts'],
    projects: [
      { test: { ...shared, name: 'behaviour', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...BENCH] } },
      { test: { ...shared, name: 'bench', include: BENCH } },
    ],
  },
});
