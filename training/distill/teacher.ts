import * as ort from 'onnxruntime-node';
import type { DistillConfig } from '../config/experiment';
import { readPinnedFile } from '../config/pinned-file';
import type { Teacher } from '../losses/teacher';
import { ModelProtoType } from '../onnx/onnx-proto';
import { TeacherError } from './teacher-error';

export { TeacherError } from './teacher-error';

/** The ops a quantized export has and a float one does not. */
const QUANTIZATION_OPS = new Set(['QuantizeLinear', 'DequantizeLinear', 'QLinearConv', 'DynamicQuantizeLinear']);

/**
 * A float ONNX model as distillation teacher, run by onnxruntime-node in the training process,
 * on the CPU, one thread (it runs beside training, which uses the others).
 * Loads and checks `config.teacher`: the file's SHA-256 must be `config.sha256` (else a
 * `PinnedFileError`, see `readPinnedFile`), it must be a float model (no quantize/dequantize nodes;
 * an `npm run export` model must say precision fp32), and it must upscale by `scale` (checked by
 * running it once). Throws a `TeacherError` saying which of those failed.
 *
 * @example
 * const teacher = await loadTeacher(config.distill, config.arch.scale);
 * const sr = await teacher.predict(batch); // NHWC, as batch.hr
 */
export async function loadTeacher(config: DistillConfig, scale: number): Promise<Teacher> {
  const { path, bytes, sha256 } = await readPinnedFile({ file: config.teacher, sha256: config.sha256 }, 'distill.teacher');
  assertFloatModel(bytes, path);
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  const [inputName, outputName] = [session.inputNames[0], session.outputNames[0]];
  try {
    if (inputName === undefined || outputName === undefined) throw new TeacherError(`distill.teacher: ${path} has no input or no output`);
    const probe = 8;
    const { dims } = (await session.run({ [inputName]: new ort.Tensor('float32', new Float32Array(3 * probe * probe).fill(0.5), [1, 3, probe, probe]) }))[
      outputName
    ]!;
    const expected = [1, 3, probe * scale, probe * scale];
    if (dims.join() !== expected.join()) {
      throw new TeacherError(
        `distill.teacher: ${path} maps a [1, 3, ${probe}, ${probe}] input to [${dims.join(', ')}], not the x${scale} student's [${expected.join(', ')}]`,
      );
    }
  } catch (error) {
    await session.release();
    throw error;
  }
  let closed = false;
  return {
    path,
    sha256,
    scale,
    async predict({ lr, batchSize, lrPatchSize }) {
      const size = lrPatchSize;
      if (lr.length !== batchSize * size * size * 3) throw new Error(`teacher: ${lr.length} LR values are not ${batchSize} patches of ${size}x${size}x3`);
      const input = new ort.Tensor('float32', nhwcToNchw(lr, batchSize, size, size), [batchSize, 3, size, size]);
      const output = (await session.run({ [inputName]: input }))[outputName]!;
      return nchwToNhwc(output.data as Float32Array, batchSize, size * scale, size * scale);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await session.release();
    },
  };
}

/** Refuses a quantized model: a teacher's targets should carry no int8 rounding error. */
function assertFloatModel(bytes: Uint8Array, path: string): void {
  let model: { graph?: { node?: { opType?: string }[] }; metadataProps?: { key?: string; value?: string }[] };
  try {
    model = ModelProtoType.toObject(ModelProtoType.decode(bytes)) as typeof model;
  } catch (error) {
    throw new TeacherError(`distill.teacher: ${path} is not an ONNX model: ${(error as Error).message}`);
  }
  const precision = model.metadataProps?.find((entry) => entry.key === 'precision')?.value;
  const quantized = (model.graph?.node ?? []).find((node) => QUANTIZATION_OPS.has(node.opType ?? ''));
  if ((precision !== undefined && precision !== 'fp32') || quantized !== undefined) {
    throw new TeacherError(`distill.teacher: ${path} is a quantized model (${precision ?? quantized!.opType}): distill from its fp32 reference`);
  }
}

function nhwcToNchw(data: Float32Array, n: number, h: number, w: number): Float32Array {
  const out = new Float32Array(data.length);
  const plane = h * w;
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) out[(b * 3 + c) * plane + p] = data[(b * plane + p) * 3 + c]!;
    }
  }
  return out;
}

function nchwToNhwc(data: Float32Array, n: number, h: number, w: number): Float32Array {
  const out = new Float32Array(data.length);
  const plane = h * w;
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) out[(b * plane + p) * 3 + c] = data[(b * 3 + c) * plane + p]!;
    }
  }
  return out;
}
