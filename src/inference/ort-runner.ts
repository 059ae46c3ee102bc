import { sha256Hex } from '../core/digest';
import type { ModelEntry } from '../core/manifest';
import type { ModelRunner, PlanarImage } from '../core/model-runner';
import { createWasmSession, ort } from './ort-wasm';

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
  if (bytes.byteLength !== model.bytes) throw new Error(`model file ${model.file} has ${bytes.byteLength} bytes, manifest says ${model.bytes}`);
  const digest = await sha256Hex(bytes);
  if (digest !== model.sha256) throw new Error(`model file ${model.file} has SHA-256 ${digest}, manifest says ${model.sha256}`);
  // Tiles vary in size, so memory patterns (planned for one shape) would only be recomputed.
  const session = await createWasmSession(new Uint8Array(bytes), { graphOptimizationLevel: 'all', enableMemPattern: false });
  for (const [kind, names, name] of [['input', session.inputNames, model.input.name], ['output', session.outputNames, model.output.name]] as const) {
    if (!names.includes(name)) throw new Error(`model file ${model.file} has no ${kind} named ${name} (it has ${names.join(', ')})`);
  }
  return {
    model,
    async run(input: PlanarImage): Promise<PlanarImage> {
      const feed = new ort.Tensor('float32', input.data, [1, 3, input.height, input.width]);
      const results = await session.run({ [model.input.name]: feed });
      const output = results[model.output.name]!;
      const [batch, channels, height, width] = output.dims;
      if (batch !== 1 || channels !== 3 || height === undefined || width === undefined) {
        throw new Error(`model ${model.id} returned a tensor of shape [${output.dims.join(', ')}]`);
      }
      return { width, height, data: output.data as Float32Array };
    },
  };
}
