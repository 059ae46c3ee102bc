import { describe, expect, it } from 'vitest';
import { chooseBackend, type BackendPreference, type BrowserCapabilities } from '../../src/client/backend';

const FULL: BrowserCapabilities = { webgpuApi: true, webgpuAdapter: true, jspi: true };
const NO_API: BrowserCapabilities = { webgpuApi: false, webgpuAdapter: false, jspi: true };
const NO_ADAPTER: BrowserCapabilities = { webgpuApi: true, webgpuAdapter: false, jspi: true };
const NO_JSPI: BrowserCapabilities = { webgpuApi: true, webgpuAdapter: true, jspi: false };

describe('chooseBackend', () => {
  it.each<[string, BackendPreference, BrowserCapabilities, string, string]>([
    ['auto with everything WebGPU needs', 'auto', FULL, 'webgpu', 'WebGPU adapter available'],
    ['auto without the WebGPU API', 'auto', NO_API, 'wasm', 'this browser has no WebGPU API'],
    ['auto without an adapter (headless, blocklisted GPU)', 'auto', NO_ADAPTER, 'wasm', 'WebGPU has no adapter here: no usable GPU'],
    ['auto with an adapter but no JSPI', 'auto', NO_JSPI, 'wasm', 'WebGPU needs WebAssembly JSPI, which this browser lacks'],
    ['webgpu requested and available', 'webgpu', FULL, 'webgpu', 'WebGPU was requested'],
    ['wasm requested on a WebGPU browser', 'wasm', FULL, 'wasm', 'WASM was requested'],
  ])('%s', (_, preference, capabilities, backend, reason) => {
    expect(chooseBackend(preference, capabilities)).toEqual({ backend, reason });
  });

  it.each([
    ['no API', NO_API, 'this browser has no WebGPU API'],
    ['no adapter', NO_ADAPTER, 'no usable GPU'],
    ['no JSPI', NO_JSPI, 'JSPI'],
  ])('refuses an explicit webgpu request with %s instead of quietly running WASM', (_, capabilities, reason) => {
    expect(() => chooseBackend('webgpu', capabilities)).toThrow(reason);
  });
});
