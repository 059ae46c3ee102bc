import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// Tests that run inside workerd, with the Worker's own wrangler.toml (bindings, assets, module rules).
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      // An R2 bucket for the R2-origin tests (wrangler.toml leaves it out: deployments add their own).
      miniflare: { r2Buckets: ['ORIGIN_BUCKET'] },
    }),
  ],
  test: {
    include: ['test/worker/**/*.test.ts'],
    // Runs in Node: exports the models test/worker/export-parity.test.ts runs in workerd.
    globalSetup: ['test/training/helpers/worker-parity-setup.ts'],
    // Vitest's default is one file at a time on 2 cores (cores - 1); most of a file's time is
    // loading the Worker and its models into workerd, which two files can overlap.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
