import { defineConfig } from 'vitest/config';

// Tests against the real services started by `npm run cluster -- up` (npm run test:cluster).
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    // One broker shared by every file: run them one after another.
    fileParallelism: false,
    pool: 'forks',
    // Real brokers rebalance groups and elect leaders in seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
