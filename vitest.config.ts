import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Process-spawning and browser e2e tests run slowly when other work shares the 2 cores (seen: 60 s tests and 30 s
    // hooks exceeded at load 15-25).
    testTimeout: 120_000,
    hookTimeout: 90_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
