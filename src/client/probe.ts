import type { BrowserCapabilities } from './backend';

/** The slice of the WebGPU API the probe uses (TypeScript's DOM library does not declare WebGPU yet). */
interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/**
 * Probes the current browser. Asking for an adapter is the only reliable test: headless or
 * blocklisted GPUs expose `navigator.gpu` but answer `null`.
 *
 * @example
 * const choice = chooseBackend('auto', await probeBrowser());
 */
export async function probeBrowser(): Promise<BrowserCapabilities> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  const jspi = 'Suspending' in WebAssembly;
  if (gpu === undefined) return { webgpuApi: false, webgpuAdapter: false, jspi };
  const adapter = await gpu.requestAdapter().catch(() => null);
  return { webgpuApi: true, webgpuAdapter: adapter !== null && adapter !== undefined, jspi };
}
