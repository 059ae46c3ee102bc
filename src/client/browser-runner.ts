import type { ModelEntry } from '../core/manifest';
import type { ModelRunner } from '../core/model-runner';
import { checkModelBytes, sessionRunner, TILED_SESSION_OPTIONS } from '../inference/session-runner';
import type { Backend } from './backend';
import { loadRuntime } from './runtime';

/**
 * Downloads `model` from `url`, checks it against the manifest (size and SHA-256) and opens an
 * onnxruntime-web session on `backend` alone, so that "webgpu" means WebGPU ran (operators the
 * WebGPU provider lacks run on ORT's CPU kernels inside the same session).
 *
 * @example
 * const runner = await createBrowserRunner(entry, `https://edge.example.com/_wdsr/models/${entry.sha256}/${entry.file}`, 'wasm', '/client/');
 * const sr = await runner.run({ width: 8, height: 8, data: new Float32Array(3 * 64) });
 */
export async function createBrowserRunner(model: ModelEntry, url: string, backend: Backend, runtimeUrl: string): Promise<ModelRunner> {
  const [ort, bytes] = await Promise.all([loadRuntime(backend, runtimeUrl), fetchBytes(url)]);
  await checkModelBytes(model, bytes);
  const session = await ort.InferenceSession.create(new Uint8Array(bytes), { ...TILED_SESSION_OPTIONS, executionProviders: [backend] });
  return sessionRunner(model, session, (data, dims) => new ort.Tensor('float32', data, dims));
}

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.arrayBuffer();
}
