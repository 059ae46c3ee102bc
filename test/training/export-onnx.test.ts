import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { ArchConfig } from '../../training/archs/config';
import { buildArch } from '../../training/archs/index';
import { exportModel } from '../../training/quant/export-model';
import { foldConv } from '../../training/onnx/fold';
import { encodeModel } from '../../training/onnx/onnx-model';
import { ModelProtoType } from '../../training/onnx/onnx-proto';
import { POINTWISE_BANDS, archToOnnx, type OnnxQuantization } from '../../training/onnx/to-onnx';
import { quantizedTensors } from '../../training/model/quantization/plan';
import { smallWdsrB } from './helpers/arch';
import { runOnnx } from './helpers/onnx-run';
import { maxAbs, meanAbs } from './helpers/parity';
import { seededWeights, syntheticImage } from './helpers/weights';

const wdsrB = smallWdsrB();

describe('ONNX export', () => {
  it('is deterministic: the same weights give the same bytes', async () => {
    const weights = seededWeights(buildArch(wdsrB), 7);
    const [a, b] = await Promise.all([exportModel(wdsrB, weights), exportModel(wdsrB, weights)]);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(a.entry.sha256).toBe(b.entry.sha256);
  });

  it('pins opset and IR version, names the IO lr/sr, and sorts attributes', async () => {
    const { bytes } = await exportModel(wdsrB, seededWeights(buildArch(wdsrB), 1));
    const model = ModelProtoType.toObject(ModelProtoType.decode(bytes), { longs: Number }) as {
      irVersion: number;
      opsetImport: { version: number }[];
      graph: { input: { name: string }[]; output: { name: string }[]; node: { opType: string; attribute?: { name: string }[] }[] };
    };
    expect(model.irVersion).toBe(8);
    expect(model.opsetImport.map((o) => o.version)).toEqual([17]);
    expect(model.graph.input.map((i) => i.name)).toEqual(['lr']);
    expect(model.graph.output.map((o) => o.name)).toEqual(['sr']);
    for (const node of model.graph.node) {
      const names = (node.attribute ?? []).map((a) => a.name);
      expect(names).toEqual([...names].sort());
    }
    expect(model.graph.node.filter((n) => n.opType === 'DepthToSpace')).toHaveLength(2);
  });

  it('runs in onnxruntime with dynamic spatial size, output scaled and clamped to [0, 1]', async () => {
    const { bytes } = await exportModel(wdsrB, seededWeights(buildArch(wdsrB), 2));
    const output = await runOnnx(bytes, syntheticImage(9, 13, 0), 9, 13);
    expect(output.dims).toEqual([1, 3, 18, 26]);
    const values = output.data as Float32Array;
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
  });
});

describe('banded pointwise chains', () => {
  const weights = seededWeights(buildArch(wdsrB), 11);
  const onnx = (bands: number, quantization?: OnnxQuantization) =>
    encodeModel(archToOnnx(buildArch(wdsrB), weights, quantization, { pointwiseBands: bands }).graph, {}, 'banding test');
  const opTypes = (bytes: Uint8Array) =>
    (ModelProtoType.toObject(ModelProtoType.decode(bytes)) as { graph: { node: { opType: string }[] } }).graph.node.map((n) => n.opType);

  it('runs each WDSR-B expand-ReLU-reduce chain in POINTWISE_BANDS bands by default', async () => {
    const ops = opTypes((await exportModel(wdsrB, weights)).bytes);
    const count = (op: string) => ops.filter((o) => o === op).length;
    expect(POINTWISE_BANDS).toBeGreaterThan(1);
    expect(count('Split')).toBe(wdsrB.nBlocks);
    // Per block: the 3x3 conv, and both 1x1 convs once per band; plus head, tail and skip.
    expect(count('Conv')).toBe(wdsrB.nBlocks * (1 + 2 * POINTWISE_BANDS) + 3);
    expect(opTypes(onnx(1)).filter((o) => o === 'Split')).toHaveLength(0);
  });

  it.each([
    ['fp32', undefined],
    ['int8 weights', { int8Weights: true, floatConvs: ['tail', 'skip'] } as const],
  ])('gives the output of whole chains (%s), for heights below, at and above the band count', async (_, quantization) => {
    const whole = onnx(1, quantization);
    const banded = onnx(POINTWISE_BANDS, quantization);
    for (const [height, width] of [
      [1, 5],
      [2, 3],
      [POINTWISE_BANDS, 6],
      [POINTWISE_BANDS + 1, 4],
      [13, 9],
    ] as const) {
      const image = syntheticImage(height, width, height);
      const a = (await runOnnx(whole, image, height, width)).data as Float32Array;
      const b = (await runOnnx(banded, image, height, width)).data as Float32Array;
      expect(b.length).toBe(3 * height * width * wdsrB.scale ** 2);
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThanOrEqual(1e-6);
    }
  });
});

describe('foldConv', () => {
  it('folds weight norm: each output channel of the folded kernel has norm g', () => {
    const graph = buildArch(wdsrB);
    const head = graph.nodes.find((n) => n.op === 'conv' && n.name === 'head');
    if (head?.op !== 'conv') throw new Error('no head conv');
    const weights = seededWeights(graph, 3);
    const folded = foldConv(head, weights);
    const g = weights.get('head/g')!.data;
    const perChannel = folded.weight.length / head.outChannels;
    for (let o = 0; o < head.outChannels; o++) {
      const norm = Math.hypot(...folded.weight.subarray(o * perChannel, (o + 1) * perChannel));
      expect(norm).toBeCloseTo(g[o]!, 5);
    }
  });

  it('folds batch norm into an equivalent conv (same output as conv then normalize)', async () => {
    const config: ArchConfig = { ...wdsrB, normalization: 'batch' };
    const weights = seededWeights(buildArch(config), 4);
    const noBn: ArchConfig = { ...wdsrB, normalization: 'none' };
    // Same network with the BN statistics pushed into kernels by hand: scale = gamma / sqrt(var + eps).
    const manual = new Map(weights);
    for (const node of buildArch(config).nodes) {
      if (node.op !== 'conv' || node.normalization !== 'batch') continue;
      const get = (k: string) => weights.get(`${node.name}/${k}`)!.data;
      const [kernel, bias, gamma, beta, mean, variance] = ['kernel', 'bias', 'bn/gamma', 'bn/beta', 'bn/movingMean', 'bn/movingVariance'].map(get);
      const factor = Array.from(gamma!, (g, o) => g / Math.sqrt(variance![o]! + 1e-5));
      manual.set(`${node.name}/kernel`, { shape: weights.get(`${node.name}/kernel`)!.shape, data: kernel!.map((w, i) => w * factor[i % node.outChannels]!) });
      manual.set(`${node.name}/bias`, { shape: [node.outChannels], data: bias!.map((b, o) => (b - mean![o]!) * factor[o]! + beta![o]!) });
    }
    const manualNone = new Map([...manual].filter(([name]) => !name.includes('/bn/')));
    const image = syntheticImage(8, 8, 1);
    const withBn = await runOnnx((await exportModel(config, weights)).bytes, image, 8, 8);
    // The 'none' graph has kernels where the 'batch' graph has kernels too, so the same names apply.
    const reference = await runOnnx((await exportModel(noBn, manualNone)).bytes, image, 8, 8);
    expect(maxAbs(withBn.data as Float32Array, reference.data as Float32Array)).toBeLessThan(1e-5);
  });
});

describe('int8 QDQ export', () => {
  const config: ArchConfig = { ...wdsrB, nFeats: 16, nBlocks: 3 };
  const weights = seededWeights(buildArch(config), 5);
  const samples = [0, 1, 2, 3].map((seed) => ({ data: syntheticImage(24, 24, seed), dims: [1, 3, 24, 24] as const }));

  it('quantizes conv inputs, conv outputs and residual sums, never pixel-shuffled tensors', () => {
    const graph = buildArch(config);
    const tensors = quantizedTensors(graph, new Set(['tail', 'skip']));
    const shuffled = graph.nodes.filter((n) => n.op === 'pixelShuffle').map((n) => n.output);
    expect(shuffled.some((t) => tensors.has(t))).toBe(false);
    const adds = graph.nodes.filter((n) => n.op === 'add').map((n) => n.output);
    expect(adds.slice(0, -1).every((t) => tensors.has(t))).toBe(true);
    expect(tensors.has(graph.output)).toBe(false);
  });

  it('fuses into QLinearConv / QLinearAdd in onnxruntime and stays close to fp32', async () => {
    const fp32 = await exportModel(config, weights);
    for (const method of [{ kind: 'minmax' } as const, { kind: 'percentile', percentile: 99.99 } as const]) {
      const int8 = await exportModel(config, weights, { samples, method, floatConvs: ['tail', 'skip'] });
      // int8 body weights; the float tail and skip dominate what remains in a model this small.
      expect(int8.bytes.length).toBeLessThan(fp32.bytes.length * 0.75);
      const image = syntheticImage(20, 20, 9);
      const a = (await runOnnx(fp32.bytes, image, 20, 20)).data as Float32Array;
      const b = (await runOnnx(int8.bytes, image, 20, 20)).data as Float32Array;
      expect(meanAbs(a, b)).toBeLessThan(2 / 255);
      expect(meanAbs(a, b)).toBeGreaterThan(0);
    }
    const session = await ort.InferenceSession.create(
      (await exportModel(config, weights, { samples, method: { kind: 'minmax' }, floatConvs: ['tail', 'skip'] })).bytes,
      {
        graphOptimizationLevel: 'all',
        optimizedModelFilePath: `${process.env.TMPDIR ?? '/tmp'}/wdsr-edge-int8-optimized.onnx`,
      },
    );
    await session.release();
    const { readFile } = await import('node:fs/promises');
    const optimized = ModelProtoType.toObject(ModelProtoType.decode(await readFile(`${process.env.TMPDIR ?? '/tmp'}/wdsr-edge-int8-optimized.onnx`))) as {
      graph: { node: { opType: string }[] };
    };
    const ops = optimized.graph.node.map((n) => n.opType);
    // head + 3 blocks x 3 convs are quantized; tail and skip stay float.
    expect(ops.filter((op) => op === 'QLinearConv')).toHaveLength(1 + 3 * 3);
    expect(ops.filter((op) => op === 'QLinearAdd').length).toBeGreaterThanOrEqual(2);
  });
});

describe('int8-weights export', () => {
  const config: ArchConfig = { ...wdsrB, nFeats: 16, nBlocks: 3 };
  const weights = seededWeights(buildArch(config), 5);
  type Graph = { node: { opType: string; input: string[]; output: string[] }[]; initializer: { name: string; dataType: number }[] };
  const graphOf = (bytes: Uint8Array) => (ModelProtoType.toObject(ModelProtoType.decode(bytes)) as { graph: Graph }).graph;
  // The 3x3 conv, and the two 1x1 convs once per band.
  const blockConvs = 1 + 2 * POINTWISE_BANDS;
  const initializerBytes = (bytes: Uint8Array) =>
    (
      ModelProtoType.toObject(ModelProtoType.decode(bytes), { bytes: Uint8Array }) as { graph: { initializer: { rawData?: Uint8Array }[] } }
    ).graph.initializer.reduce((sum, tensor) => sum + (tensor.rawData?.length ?? 0), 0);

  it.each([
    { floatConvs: [], int8: 1 + 3 * blockConvs + 2 },
    { floatConvs: ['tail', 'skip'], int8: 1 + 3 * blockConvs },
  ])('stores the weights of convs outside $floatConvs as int8 behind a DequantizeLinear; activations and biases stay float', async ({ floatConvs, int8 }) => {
    const { bytes, entry } = await exportModel(config, weights, { int8Weights: true, floatConvs });
    expect(entry.precision).toBe('int8-weights');
    expect(entry.quantization).toMatchObject({ activations: 'float32', floatConvs });
    const graph = graphOf(bytes);
    const producer = new Map(graph.node.flatMap((n) => n.output.map((o) => [o, n] as const)));
    const dataType = new Map(graph.initializer.map((t) => [t.name, t.dataType]));
    const convs = graph.node.filter((n) => n.opType === 'Conv');
    // head, 3 blocks, tail and skip.
    expect(convs).toHaveLength(1 + 3 * blockConvs + 2);
    const quantized = convs.filter((conv) => producer.get(conv.input[1]!)?.opType === 'DequantizeLinear');
    expect(quantized).toHaveLength(int8);
    for (const conv of convs) {
      const dq = producer.get(conv.input[1]!);
      const name = conv.input[1]!.split('/W')[0]!;
      if (floatConvs.includes(name))
        expect(dataType.get(conv.input[1]!)).toBe(1); // a float weight initializer
      else expect(dataType.get(dq!.input[0]!)).toBe(3); // INT8
      expect(dataType.get(conv.input[2]!)).toBe(1); // a float bias initializer
    }
    expect(graph.node.some((n) => n.opType === 'QuantizeLinear')).toBe(false);
  });

  it("stores under 40% of the float weights' bytes, computes far closer to float than static int8, and runs as float Conv in onnxruntime", async () => {
    const fp32 = await exportModel(config, weights);
    const int8Weights = await exportModel(config, weights, { int8Weights: true, floatConvs: [] });
    expect(initializerBytes(int8Weights.bytes)).toBeLessThan(initializerBytes(fp32.bytes) * 0.4);
    const image = syntheticImage(20, 20, 9);
    const a = (await runOnnx(fp32.bytes, image, 20, 20)).data as Float32Array;
    const b = (await runOnnx(int8Weights.bytes, image, 20, 20)).data as Float32Array;
    // Only the weights are rounded: far closer to float than static int8, which rounds activations too.
    const samples = [0, 1, 2, 3].map((seed) => ({ data: syntheticImage(24, 24, seed), dims: [1, 3, 24, 24] as const }));
    const staticInt8 = await exportModel(config, weights, { samples, method: { kind: 'minmax' }, floatConvs: [] });
    const staticGap = meanAbs(a, (await runOnnx(staticInt8.bytes, image, 20, 20)).data as Float32Array);
    expect(meanAbs(a, b)).toBeLessThan(staticGap / 3);
    expect(meanAbs(a, b)).toBeLessThan(1 / 255);
    expect(meanAbs(a, b)).toBeGreaterThan(0);
    const optimizedPath = `${process.env.TMPDIR ?? '/tmp'}/wdsr-edge-int8-weights-optimized.onnx`;
    const session = await ort.InferenceSession.create(int8Weights.bytes, { graphOptimizationLevel: 'all', optimizedModelFilePath: optimizedPath });
    await session.release();
    const { readFile } = await import('node:fs/promises');
    const ops = graphOf(await readFile(optimizedPath)).node.map((n) => n.opType);
    expect(ops.some((op) => op.startsWith('QLinear'))).toBe(false);
  });
});
