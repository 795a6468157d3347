import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'labs/**/*.test.ts'],
    // Tests of the real adapters need running services: `npm run test:cluster`.
    exclude: ['test/cluster/**', 'node_modules/**'],
    testTimeout: 30_000,
    pool: 'forks',
    // Most files wait on timers, sockets and child processes more than they compute, so one
    // worker per core pays off; vitest's default (cores - 1) is a single worker on 2 cores.
    // Measured on 2 busy cores: 90 s with one worker, 47 s with two.
    maxWorkers: '100%',
  },
});
