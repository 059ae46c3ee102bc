import * as ort from 'onnxruntime-node';
import type { FloatImage, Upscaler } from './evaluate';

/**
 * Runs an exported `.onnx` super-resolution model on the CPU: input `[1, 3, h, w]` float32 RGB in
 * [0, 1] (NCHW), output `[1, 3, s*h, s*w]`. Tensor names come from the model itself (its first
 * input and output), so any exporter's naming works. One session serves every image.
 *
 * @example
 * const upscaler = await loadOnnxUpscaler('model/wdsr-b-x2.onnx');
 * const result = await evaluateDirectory('../shared/datasets/Set5/HR', 2, upscaler);
 */
export async function loadOnnxUpscaler(modelPath: string): Promise<Upscaler> {
  const session = await ort.InferenceSession.create(modelPath);
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  if (inputName === undefined || outputName === undefined) throw new Error(`${modelPath} has no input or no output`);
  return async function upscaleWithOnnx(lr: FloatImage): Promise<FloatImage> {
    const input = new ort.Tensor('float32', interleavedToPlanar(lr), [1, 3, lr.height, lr.width]);
    const output = (await session.run({ [inputName]: input }))[outputName]!;
    const [batch, channels, height, width] = output.dims;
    if (output.type !== 'float32' || output.dims.length !== 4 || batch !== 1 || channels !== 3) {
      throw new Error(`${modelPath}: expected a float32 [1, 3, H, W] output, got ${output.type} [${output.dims.join(', ')}]`);
    }
    return planarToInterleaved(output.data as Float32Array, width!, height!);
  };
}

/** RGBRGB... to RRR...GGG...BBB..., the NCHW layout of a batch of one. */
function interleavedToPlanar(image: FloatImage): Float32Array {
  const plane = image.width * image.height;
  const planar = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    planar[p] = image.data[3 * p]!;
    planar[p + plane] = image.data[3 * p + 1]!;
    planar[p + 2 * plane] = image.data[3 * p + 2]!;
  }
  return planar;
}

function planarToInterleaved(planar: Float32Array, width: number, height: number): FloatImage {
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    data[3 * p] = planar[p]!;
    data[3 * p + 1] = planar[p + plane]!;
    data[3 * p + 2] = planar[p + 2 * plane]!;
  }
  return { width, height, data };
}
