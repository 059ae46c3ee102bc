import type * as Ort from 'onnxruntime-web';
import type { Backend } from './backend';
import { RUNTIME_WASM_FILES } from './runtime-files';

/** An onnxruntime-web module (all its builds share one API). */
export type OrtModule = typeof Ort;

const loads = new Map<Backend, Promise<OrtModule>>();

/**
 * Loads (once per page) the onnxruntime-web build for `backend`, fetching its `.wasm` from
 * `runtimeUrl` (a folder URL ending in `/`). Each build is a separate chunk, so a page only
 * downloads the runtime it runs.
 *
 * @example
 * const ort = await loadRuntime('wasm', 'https://edge.example.com/client/');
 */
export function loadRuntime(backend: Backend, runtimeUrl: string): Promise<OrtModule> {
  let load = loads.get(backend);
  if (load === undefined) {
    load = importBuild(backend).then((ort) => configure(ort, new URL(RUNTIME_WASM_FILES[backend], runtimeUrl).href));
    loads.set(backend, load);
  }
  return load;
}

function importBuild(backend: Backend): Promise<OrtModule> {
  // Literal specifiers, so the bundler splits each build into its own chunk.
  return backend === 'webgpu' ? import('onnxruntime-web/jspi') : import('onnxruntime-web/wasm');
}

function configure(ort: OrtModule, wasmUrl: string): OrtModule {
  ort.env.wasm.wasmPaths = { wasm: wasmUrl };
  // Threads need a cross-origin-isolated page and ORT's script at its own URL for the workers,
  // neither of which holds once ORT is bundled into a demo page: one thread, on purpose.
  ort.env.wasm.numThreads = 1;
  return ort;
}
