import { defineConfig } from 'vitest/config';

// The Chromium end-to-end test of the demo page (npm run test:browser): it starts `wrangler dev`
// itself, so it runs alone, after the unit tests.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 150_000,
    fileParallelism: false,
  },
});
