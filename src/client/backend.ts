/** Where the browser client runs the model: the GPU through WebGPU, or the CPU through WebAssembly. */
export type Backend = 'webgpu' | 'wasm';

/** `auto`: WebGPU when the browser can run it, WASM otherwise. */
export type BackendPreference = Backend | 'auto';

/** The backend chosen, and in words why (shown to people, so they know what they are timing). */
export interface BackendChoice {
  readonly backend: Backend;
  readonly reason: string;
}

/** What the browser offers (see `probeBrowser`). */
export interface BrowserCapabilities {
  /** `navigator.gpu` exists. */
  readonly webgpuApi: boolean;
  /** `navigator.gpu.requestAdapter()` gave an adapter (it gives none without a usable GPU). */
  readonly webgpuAdapter: boolean;
  /** WebAssembly JS Promise Integration (`WebAssembly.Suspending`), which our WebGPU build needs. */
  readonly jspi: boolean;
}

/**
 * Picks the backend for a preference. WebGPU needs an adapter and JSPI: onnxruntime-web's
 * other WebGPU build (asyncify) is a 27 MB `.wasm`, over the 25 MiB limit on a Workers static
 * asset, so the client ships the JSPI build (17 MB) and browsers without JSPI run WASM.
 * An explicit `webgpu` preference that cannot be met throws instead of quietly running WASM.
 *
 * @example
 * chooseBackend('auto', { webgpuApi: true, webgpuAdapter: false, jspi: true });
 * // { backend: 'wasm', reason: 'WebGPU has no adapter here: no usable GPU' }
 */
export function chooseBackend(preference: BackendPreference, capabilities: BrowserCapabilities): BackendChoice {
  if (preference === 'wasm') return { backend: 'wasm', reason: 'WASM was requested' };
  const missing = missingForWebgpu(capabilities);
  if (missing === undefined) return { backend: 'webgpu', reason: preference === 'webgpu' ? 'WebGPU was requested' : 'WebGPU adapter available' };
  if (preference === 'webgpu') throw new Error(`WebGPU was requested, but ${missing}`);
  return { backend: 'wasm', reason: missing };
}

function missingForWebgpu({ webgpuApi, webgpuAdapter, jspi }: BrowserCapabilities): string | undefined {
  if (!webgpuApi) return 'this browser has no WebGPU API';
  if (!webgpuAdapter) return 'WebGPU has no adapter here: no usable GPU';
  if (!jspi) return 'WebGPU needs WebAssembly JSPI, which this browser lacks';
  return undefined;
}
