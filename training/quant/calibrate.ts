import * as ort from 'onnxruntime-node';
import type { ArchGraph } from '../archs/graph';
import { interleavedToPlanar } from '../../src/core/planar';
import { Rng } from '../model/rng';
import { PairedPatchSampler } from '../data/sampler';
import { quantizedTensors, type QuantizationPlan } from '../model/quantization/plan';
import { makeValueInfo } from '../onnx/onnx-helpers';
import { encodeModel } from '../onnx/onnx-model';
import type { CalibrationMethod } from '../config/calibration-method';
import type { ActivationRange } from '../model/quantization/int8-arithmetic';
import { INPUT_NAME, archToOnnx } from '../onnx/to-onnx';
import type { NamedWeights } from '../model/weights';

/** One calibration input: NCHW float32 RGB in [0, 1]. */
export interface CalibrationSample {
  readonly data: Float32Array;
  readonly dims: readonly [1, 3, number, number];
}

const HISTOGRAM_BINS = 4096;

/** Calibration inputs: LR training patches, the distribution the network was fitted to. */
export async function trainingCalibrationSamples(
  trainDirs: readonly string[],
  scale: number,
  hrPatchSize: number,
  count: number,
): Promise<CalibrationSample[]> {
  const sampler = await PairedPatchSampler.fromDirectories([...trainDirs], { scale, hrPatchSize });
  const { lr, lrPatchSize: size } = sampler.nextBatch(count, new Rng(0x5eed));
  const patch = 3 * size * size;
  const whole = { x: 0, y: 0, width: size, height: size };
  return Array.from({ length: count }, (_, n) => ({
    data: interleavedToPlanar({ width: size, channels: 3, data: lr.subarray(n * patch, (n + 1) * patch) }, whole).data,
    dims: [1, 3, size, size] as const,
  }));
}

/** Runs the float model on the samples and derives one range per quantized tensor. */
export async function calibrate(
  graph: ArchGraph,
  weights: NamedWeights,
  samples: readonly CalibrationSample[],
  method: CalibrationMethod,
  floatConvs: ReadonlySet<string>,
): Promise<QuantizationPlan> {
  const tensors = [...quantizedTensors(graph, floatConvs)];
  // Whole chains: every tensor the plan may quantize must exist to be read.
  const probe = archToOnnx(graph, weights, undefined, { pointwiseBands: 1 });
  const onnxNames = tensors.map((t) => probe.tensorNames.get(t)!);
  probe.graph.output.push(...onnxNames.map((name) => makeValueInfo(name)));
  const session = await ort.InferenceSession.create(encodeModel(probe.graph, {}, 'calibration probe'));
  try {
    const run = async (sample: CalibrationSample) => session.run({ [INPUT_NAME]: new ort.Tensor('float32', sample.data, [...sample.dims]) }, onnxNames);
    const extremes = onnxNames.map(() => ({ min: Infinity, max: -Infinity }));
    for (const sample of samples) {
      const outputs = await run(sample);
      onnxNames.forEach((name, i) => {
        const data = outputs[name]!.data as Float32Array;
        for (const v of data) {
          if (v < extremes[i]!.min) extremes[i]!.min = v;
          if (v > extremes[i]!.max) extremes[i]!.max = v;
        }
      });
    }
    const ranges = method.kind === 'minmax' ? extremes : await percentileRanges(run, samples, onnxNames, extremes, method.percentile);
    return { ranges: new Map(tensors.map((t, i) => [t, ranges[i]!])), floatConvs };
  } finally {
    await session.release();
  }
}

/** Second pass: a fixed-bin histogram per tensor over its observed extremes, then two-sided percentiles. */
async function percentileRanges(
  run: (sample: CalibrationSample) => Promise<ort.InferenceSession.ReturnType>,
  samples: readonly CalibrationSample[],
  names: readonly string[],
  extremes: readonly ActivationRange[],
  percentile: number,
): Promise<ActivationRange[]> {
  const histograms = names.map(() => new Float64Array(HISTOGRAM_BINS));
  for (const sample of samples) {
    const outputs = await run(sample);
    names.forEach((name, i) => {
      const { min, max } = extremes[i]!;
      const width = (max - min) / HISTOGRAM_BINS || 1;
      const histogram = histograms[i]!;
      for (const v of outputs[name]!.data as Float32Array) {
        const bin = Math.min(HISTOGRAM_BINS - 1, Math.floor((v - min) / width));
        histogram[bin] = histogram[bin]! + 1;
      }
    });
  }
  return histograms.map((histogram, i) => {
    const { min, max } = extremes[i]!;
    const width = (max - min) / HISTOGRAM_BINS;
    const total = histogram.reduce((a, b) => a + b, 0);
    const tail = (total * (100 - percentile)) / 100;
    let low = 0;
    for (let seen = 0; low < HISTOGRAM_BINS - 1 && seen + histogram[low]! <= tail; low++) seen += histogram[low]!;
    let high = HISTOGRAM_BINS - 1;
    for (let seen = 0; high > 0 && seen + histogram[high]! <= tail; high--) seen += histogram[high]!;
    return { min: min + low * width, max: min + (high + 1) * width };
  });
}
