import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CODEC_WASM } from './files';
import { withImportedHeap } from './imported-heap';

/*
 * npm run build:codec-wasm: writes the codec modules the Worker bundles (src/platform/wasm/) from
 * the installed packages', each importing the shared codec heap. Run it after upgrading
 * @jsquash/webp or @jsquash/avif; test/core/codec-wasm.test.ts fails until the committed files
 * match the installed packages.
 */
const require = createRequire(import.meta.url);
for (const { packageFile, committed } of CODEC_WASM) {
  const bytes = withImportedHeap(readFileSync(require.resolve(packageFile)));
  writeFileSync(committed, bytes);
  console.log(`${committed}: ${bytes.byteLength} bytes, importing the codec heap`);
}
