import { defineConfig } from 'vitest/config';

// End-to-end tests against `wrangler dev` (npm run test:browser): the demo page in Chromium and the
// evaluator scoring the running service. Each file starts its own `wrangler dev`, so files run one
// at a time, after the unit tests.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 150_000,
    fileParallelism: false,
  },
});
