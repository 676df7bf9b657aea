import { defineConfig } from 'vitest/config';

// `npm run stress` (vitest.stress.config.ts) runs the long, bounded stress runs in test/stress/.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/stress/**', '**/node_modules/**'],
    // Integration tests spawn real daemons and compilers: processes, not threads.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: run two files at a time.
    maxWorkers: 2,
  },
});
