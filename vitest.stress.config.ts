import { defineConfig } from 'vitest/config';

// The long stress runs (bounded: each stops by itself). `npm run stress`; not part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/stress/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30 * 60_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});
