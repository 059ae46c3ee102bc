import { defineConfig } from 'vitest/config';

// Tests that run in Node: the runtime-free core, codecs and the training pipeline.
export default defineConfig({
  test: {
    include: ['test/core/**/*.test.ts', 'test/training/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
