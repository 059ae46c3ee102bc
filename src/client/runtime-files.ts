/**
 * The one `.wasm` file each backend's onnxruntime-web build fetches at run time; the build step
 * (test/build/client/bundle.ts) copies these next to the bundles. The builds are the "bundle"
 * variants, which carry their Emscripten glue inside, so no `.mjs` has to be served beside them.
 * No imports: the Node build script reads this module too.
 */
export const RUNTIME_WASM_FILES = {
  wasm: 'ort-wasm-simd-threaded.wasm',
  // JSPI, not asyncify: the asyncify WebGPU build's .wasm (27 MB) exceeds the 25 MiB limit on a Workers static asset.
  webgpu: 'ort-wasm-simd-threaded.jspi.wasm',
} as const;
