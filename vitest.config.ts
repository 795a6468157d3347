import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'labs/**/*.test.ts'],
    // Tests of the real adapters need running services: `npm run test:cluster`.
    exclude: ['test/cluster/**', 'node_modules/**'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
