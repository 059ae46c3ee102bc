import * as ort from 'onnxruntime-node';
import { interleavedToPlanar, planarToInterleaved } from '../../src/core/planar';
import type { FloatImage, Upscaler } from '../metrics/evaluate';

/**
 * Runs an exported super-resolution model on the CPU, from a `.onnx` file or from its bytes (a
 * model exported in memory): input `[1, 3, h, w]` float32 RGB in [0, 1] (NCHW), output
 * `[1, 3, s*h, s*w]`. Tensor names come from the model itself (its first input and output), so
 * any exporter's naming works. One session serves every image.
 *
 * @example
 * const upscaler = await loadOnnxUpscaler(`model/${entry.file}`);
 * const result = await evaluateDirectory('../shared/datasets/Set5/HR', 2, upscaler);
 */
export async function loadOnnxUpscaler(model: string | Uint8Array): Promise<Upscaler> {
  // A path and bytes are separate overloads of `create`, so each call names its own.
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  const name = typeof model === 'string' ? model : `the ONNX model of ${model.length} bytes`;
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  if (inputName === undefined || outputName === undefined) throw new Error(`${name} has no input or no output`);
  return async function upscaleWithOnnx(lr: FloatImage): Promise<FloatImage> {
    const planar = interleavedToPlanar({ width: lr.width, channels: 3, data: lr.data }, { x: 0, y: 0, width: lr.width, height: lr.height });
    const input = new ort.Tensor('float32', planar.data, [1, 3, lr.height, lr.width]);
    const output = (await session.run({ [inputName]: input }))[outputName]!;
    const [batch, channels, height, width] = output.dims;
    if (output.type !== 'float32' || output.dims.length !== 4 || batch !== 1 || channels !== 3) {
      throw new Error(`${name}: expected a float32 [1, 3, H, W] output, got ${output.type} [${output.dims.join(', ')}]`);
    }
    const sr: FloatImage = { width: width!, height: height!, data: new Float32Array(3 * width! * height!) };
    const whole = { x: 0, y: 0, width: sr.width, height: sr.height };
    planarToInterleaved(
      { width: sr.width, height: sr.height, data: output.data as Float32Array },
      whole,
      { width: sr.width, channels: 3, data: sr.data },
      0,
      0,
      (v) => v,
    );
    return sr;
  };
}
