import { defineConfig } from 'vitest/config';

// Tests that run in Node: the runtime-free core, codecs, the training pipeline and the benchmark's pure parts.
export default defineConfig({
  test: {
    include: ['test/core/**/*.test.ts', 'test/training/**/*.test.ts', 'test/bench/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // vi.stubEnv (e.g. WDSR_DATASETS) lasts one test.
    unstubEnvs: true,
  },
});
