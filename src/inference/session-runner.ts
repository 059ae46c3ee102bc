import type { InferenceSession, Tensor } from 'onnxruntime-web';
import { sha256Hex } from '../core/digest';
import type { ModelEntry } from '../core/manifest';
import type { ModelRunner, PlanarImage } from '../core/model-runner';

/*
 * The part of running a manifest model that every onnxruntime-web flavour shares (the Worker's
 * WASM build, the browser's WASM and WebGPU builds): checking the file against the manifest,
 * checking the session's tensor names, and moving planar images in and out of NCHW tensors.
 * Only types are imported: each caller brings the ORT module it loaded, because a session
 * accepts tensors made by its own module's `Tensor` class.
 */

/**
 * Session options for tiled inference. Tiles vary in size, so memory patterns (planned for one
 * input shape) would only be recomputed on every call.
 */
export const TILED_SESSION_OPTIONS: InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', enableMemPattern: false };

/**
 * Throws unless `bytes` are exactly the manifest's file (size and SHA-256): cache keys and
 * reported numbers promise that this file, and no other, made the output.
 *
 * @example
 * await checkModelBytes(entry, await (await fetch(url)).arrayBuffer());
 */
export async function checkModelBytes(model: ModelEntry, bytes: ArrayBuffer): Promise<void> {
  if (bytes.byteLength !== model.bytes) throw new Error(`model file ${model.file} has ${bytes.byteLength} bytes, manifest says ${model.bytes}`);
  const digest = await sha256Hex(bytes);
  if (digest !== model.sha256) throw new Error(`model file ${model.file} has SHA-256 ${digest}, manifest says ${model.sha256}`);
}

/** Makes a float32 tensor with the ORT module that created the session. */
export type Float32TensorFactory = (data: Float32Array, dims: readonly number[]) => Tensor;

/**
 * A {@link ModelRunner} over a created session, after checking that the session has the input
 * and output the manifest names.
 *
 * @example
 * const session = await ort.InferenceSession.create(bytes, TILED_SESSION_OPTIONS);
 * const runner = sessionRunner(entry, session, (data, dims) => new ort.Tensor('float32', data, dims));
 */
export function sessionRunner(model: ModelEntry, session: InferenceSession, float32Tensor: Float32TensorFactory): ModelRunner {
  for (const [kind, names, name] of [
    ['input', session.inputNames, model.input.name],
    ['output', session.outputNames, model.output.name],
  ] as const) {
    if (!names.includes(name)) throw new Error(`model file ${model.file} has no ${kind} named ${name} (it has ${names.join(', ')})`);
  }
  return {
    model,
    async run(input: PlanarImage): Promise<PlanarImage> {
      const results = await session.run({ [model.input.name]: float32Tensor(input.data, [1, 3, input.height, input.width]) });
      const output = results[model.output.name]!;
      const [batch, channels, height, width] = output.dims;
      if (batch !== 1 || channels !== 3 || height === undefined || width === undefined) {
        throw new Error(`model ${model.id} returned a tensor of shape [${output.dims.join(', ')}]`);
      }
      return { width, height, data: output.data as Float32Array };
    },
    close: () => session.release(),
  };
}
