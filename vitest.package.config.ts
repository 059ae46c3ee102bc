import { defineConfig } from 'vitest/config';

// The npm package as another project installs it (npm run test:package): packs it, installs the
// tarball in a temp folder, bundles and runs a consumer Worker with wrangler. Minutes, not seconds.
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
  },
});
