import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CODEC_WASM } from './files';
import { withInitialMemory } from './initial-memory';

/*
 * npm run build:codec-wasm: writes the codec modules the Worker bundles (src/platform/wasm/) from
 * the installed packages' with a smaller initial memory. Run it after upgrading @jsquash/webp;
 * test/core/codec-wasm.test.ts fails until the committed files match the installed package.
 */
const require = createRequire(import.meta.url);
for (const { packageFile, committed, initialPages } of CODEC_WASM) {
  const bytes = withInitialMemory(readFileSync(require.resolve(packageFile)), initialPages);
  writeFileSync(committed, bytes);
  console.log(`${committed}: ${bytes.byteLength} bytes, initial memory ${initialPages} pages (${(initialPages * 64) / 1024} MiB)`);
}
