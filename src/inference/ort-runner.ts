import type { ModelEntry } from '../core/manifest';
import type { ModelRunner } from '../core/model-runner';
import { createWasmSession, ort } from './ort-wasm';
import { checkModelBytes, sessionRunner, TILED_SESSION_OPTIONS } from './session-runner';

/**
 * Loads `model` from its bundled bytes into an onnxruntime-web WASM session, after checking the
 * bytes against the manifest (size and SHA-256: the cache keys promise that this exact file made
 * the output) and the session's tensor names against the manifest's.
 *
 * @example
 * const runner = await createOrtRunner(entry, MODEL_FILES[entry.file]);
 * const sr = await runner.run({ width: 32, height: 32, data: new Float32Array(3 * 32 * 32) });
 */
export async function createOrtRunner(model: ModelEntry, bytes: ArrayBuffer | undefined): Promise<ModelRunner> {
  if (bytes === undefined) throw new Error(`model file ${model.file} is not bundled`);
  await checkModelBytes(model, bytes);
  const session = await createWasmSession(new Uint8Array(bytes), TILED_SESSION_OPTIONS);
  return sessionRunner(model, session, (data, dims) => new ort.Tensor('float32', data, dims));
}
