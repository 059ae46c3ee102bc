import * as ort from 'onnxruntime-node';
import type { ArchGraph, GraphNode } from '../archs/graph';
import { makeValueInfo } from './onnx-helpers';
import { encodeModel } from './onnx-model';
import type { ActivationRange } from './quantize';
import { INPUT_NAME, archToOnnx, type QuantizationPlan } from './to-onnx';
import type { NamedWeights } from './weights';

/**
 * How activation ranges are chosen from calibration data: the observed extremes, or
 * percentiles that clip rare outliers to spend the 256 levels on the bulk of values.
 */
export type CalibrationMethod = { kind: 'minmax' } | { kind: 'percentile'; percentile: number };

/** One calibration input: NCHW float32 RGB in [0, 1]. */
export interface CalibrationSample {
  readonly data: Float32Array;
  readonly dims: readonly [1, 3, number, number];
}

const HISTOGRAM_BINS = 4096;

/**
 * The tensors a QDQ model quantizes: inputs of quantized convs (a ReLU output is one,
 * so its zero point does the clipping), outputs of quantized convs, and residual sums of
 * two quantized tensors (QLinearAdd). Pixel-shuffled tensors and the final sum stay float.
 */
export function quantizedTensors(graph: ArchGraph, floatConvs: ReadonlySet<string>): Set<string> {
  const producers = new Map<string, GraphNode>(graph.nodes.map((node) => [node.output, node]));
  const tensors = new Set<string>();
  for (const node of graph.nodes) {
    if (node.op === 'conv' && !floatConvs.has(node.name)) tensors.add(node.input);
  }
  for (const node of graph.nodes) {
    if (node.op === 'conv' && !floatConvs.has(node.name)) {
      // QLinearConv needs its output quantized; a ReLU in between is dropped by onnxruntime
      // (the uint8 zero point clips), and pixel-shuffled outputs stay float.
      const consumers = graph.nodes.filter((n) => (n.op === 'add' ? n.inputs.includes(node.output) : n.input === node.output));
      if (consumers.every((n) => n.op !== 'pixelShuffle' && n.op !== 'relu')) tensors.add(node.output);
    }
    if (node.op === 'add' && node.inputs.every((input) => tensors.has(input))) tensors.add(node.output);
  }
  return tensors;
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
  const probe = archToOnnx(graph, weights);
  const onnxNames = tensors.map((t) => probe.tensorNames.get(t)!);
  probe.graph.output.push(...onnxNames.map((name) => makeValueInfo(name)));
  const session = await ort.InferenceSession.create(encodeModel(probe.graph, {}, 'calibration probe'));
  try {
    const run = async (sample: CalibrationSample) =>
      session.run({ [INPUT_NAME]: new ort.Tensor('float32', sample.data, [...sample.dims]) }, onnxNames);
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
