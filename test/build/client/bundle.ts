import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { RUNTIME_WASM_FILES } from '../../../src/client/runtime-files';

/** Where the bundles go: inside the Worker's static assets, so it serves them at `/client/`. Git-ignored. */
export const CLIENT_OUT_DIR = 'src/assets/client';

/** Bundle entry points: output name (`<name>.js`) to source. */
const ENTRY_POINTS = {
  // The library as one ES module, for pages that import it from the Worker.
  'wdsr-client': 'src/client/index.ts',
  // The demo page's script (src/assets/index.html loads it).
  demo: 'src/client/demo/main.ts',
};

/**
 * Bundles the browser client and the demo page script into `outDir` (replacing what was there)
 * and copies beside them the onnxruntime-web `.wasm` files the client loads at run time.
 * Each onnxruntime-web build is split into its own chunk, fetched only by pages that run it.
 *
 * @example
 * await bundleClient(); // src/assets/client/{wdsr-client.js, demo.js, chunks/, ort-wasm-simd-threaded*.wasm}
 */
export async function bundleClient(outDir = CLIENT_OUT_DIR): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await build({
    entryPoints: ENTRY_POINTS,
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });
  await mkdir(outDir, { recursive: true });
  const resolve = createRequire(import.meta.url).resolve;
  for (const file of new Set(Object.values(RUNTIME_WASM_FILES))) {
    await copyFile(resolve(`onnxruntime-web/${file}`), join(outDir, file));
  }
}
