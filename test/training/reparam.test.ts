import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WdsrBConfig } from '../../training/archs/config';
import type { ConvNode } from '../../training/archs/graph';
import { buildArch, convVariableShapes, countParameters, macsPerLrPixel, receptiveFieldRadius, withoutReparam } from '../../training/archs/index';
import { initBackend } from '../../training/backend/init';
import { Rng } from '../../training/model/rng';
import { exportModel } from '../../training/quant/export-model';
import { foldConv } from '../../training/onnx/fold';
import { ModelProtoType } from '../../training/onnx/onnx-proto';
import { effectiveConv } from '../../training/model/conv-layer';
import { TfjsModel } from '../../training/model/tfjs-model';
import { collapseLinearBlock, collapseReparam, expandReparam, nodeConv, weightNormKernel, type PlainConv } from '../../training/onnx/reparam-collapse';
import { smallWdsrB } from './helpers/arch';
import { maxAbs } from './helpers/parity';
import { seededWeights } from './helpers/weights';

const uniform = (length: number, bound: number, rng: Rng) => Float32Array.from({ length }, () => (2 * rng.next() - 1) * bound);

/** The block run as it is written: kxk conv to `hidden` channels, 1x1 conv back, plus the input where `identity`. */
function blockForward(
  x: tf.Tensor4D,
  k: number,
  inC: number,
  hidden: number,
  outC: number,
  first: PlainConv,
  second: PlainConv,
  identity: boolean,
): tf.Tensor4D {
  const wide = tf.add<tf.Tensor4D>(tf.conv2d(x, tf.tensor4d(first.kernel, [k, k, inC, hidden]), 1, 'same'), tf.tensor1d(first.bias));
  const narrow = tf.add<tf.Tensor4D>(tf.conv2d(wide, tf.tensor4d(second.kernel, [1, 1, hidden, outC]), 1, 'same'), tf.tensor1d(second.bias));
  return identity ? tf.add(narrow, x) : narrow;
}

const reparamAll = { kind: 'collapsible', expansion: 4, convs: ['expand', 'reduce', 'spatial'] } as const;

describe('collapseLinearBlock (pure fold)', () => {
  beforeAll(() => initBackend('cpu'));

  it.each([
    ['3x3, 6 -> 24 -> 8', 3, 6, 24, 8, false, false],
    ['3x3, 5 -> 20 -> 5 with identity', 3, 5, 20, 5, true, false],
    ['1x1, 16 -> 48 -> 12 (a WDSR-B reduce)', 1, 16, 48, 12, false, false],
    ['5x5, 3 -> 12 -> 4, weight norm folded first', 5, 3, 12, 4, false, true],
    ['3x3, 4 -> 8 -> 4 with identity and weight norm', 3, 4, 8, 4, true, true],
  ] as const)('%s: the folded conv computes what the block does (random weights, borders included)', (_, k, inC, hidden, outC, identity, weightNorm) => {
    const rng = new Rng(k * 100 + inC + hidden);
    let first: PlainConv = { kernel: uniform(k * k * inC * hidden, 1 / Math.sqrt(k * k * inC), rng), bias: uniform(hidden, 0.3, rng) };
    let second: PlainConv = { kernel: uniform(hidden * outC, 1 / Math.sqrt(hidden), rng), bias: uniform(outC, 0.3, rng) };
    if (weightNorm) {
      // What a weight-normalized block trains: (v, g) per conv; each folds to its plain kernel before the block does.
      first = {
        ...first,
        kernel: weightNormKernel(
          first.kernel,
          uniform(hidden, 1, rng).map((g) => 0.5 + Math.abs(g)),
        ),
      };
      second = {
        ...second,
        kernel: weightNormKernel(
          second.kernel,
          uniform(outC, 1, rng).map((g) => 0.5 + Math.abs(g)),
        ),
      };
    }
    const folded = collapseLinearBlock({ kernelSize: k, inChannels: inC, hidden, outChannels: outC, identity, first, second });
    const x = tf.tensor4d(uniform(2 * 7 * 9 * inC, 1, rng), [2, 7, 9, inC]);
    const expected = tf.tidy(() => blockForward(x, k, inC, hidden, outC, first, second, identity).dataSync());
    const actual = tf.tidy(() => tf.add(tf.conv2d(x, tf.tensor4d(folded.kernel, [k, k, inC, outC]), 1, 'same'), tf.tensor1d(folded.bias)).dataSync());
    expect(actual).toHaveLength(2 * 7 * 9 * outC);
    expect(maxAbs(actual, expected)).toBeLessThan(1e-4);
    expect(maxAbs(expected, new Float32Array(expected.length))).toBeGreaterThan(0.1); // not a trivially zero output
    x.dispose();
  });

  it('refuses weights of the wrong shape and an identity between different widths', () => {
    const conv = (n: number, m: number): PlainConv => ({ kernel: new Float32Array(n), bias: new Float32Array(m) });
    expect(() =>
      collapseLinearBlock({ kernelSize: 3, inChannels: 2, hidden: 4, outChannels: 3, identity: false, first: conv(70, 4), second: conv(12, 3) }),
    ).toThrow(/kxk conv is not \[3, 3, 2, 4\]/);
    expect(() =>
      collapseLinearBlock({ kernelSize: 1, inChannels: 2, hidden: 4, outChannels: 3, identity: true, first: conv(8, 4), second: conv(12, 3) }),
    ).toThrow(/identity branch needs as many input as output channels/);
  });
});

describe('a re-parameterized WDSR-B', () => {
  beforeAll(() => initBackend('cpu'));
  const config = smallWdsrB({ reparam: reparamAll });
  const graph = buildArch(config);
  const blockConv = (name: string) => graph.nodes.find((n): n is ConvNode => n.op === 'conv' && n.name === name)!;

  it("has the plain graph's nodes, its block convs trained as linear blocks of expansion x their rank", () => {
    const plain = buildArch(withoutReparam(config));
    expect(graph.nodes.map((n) => (n.op === 'conv' ? { ...n, linearBlock: undefined } : n))).toEqual(
      plain.nodes.map((n) => (n.op === 'conv' ? { ...n, linearBlock: undefined } : n)),
    );
    // Hidden width: expansion (4) x min(k * k * in, out), the most rank the collapsed conv can have.
    expect(blockConv('body/0/spatial').linearBlock).toEqual({ hidden: 4 * Math.min(3 * 3 * 6, 8), identity: false });
    expect(blockConv('body/1/expand').linearBlock).toEqual({ hidden: 4 * Math.min(8, 48), identity: false });
    expect(blockConv('body/1/reduce').linearBlock).toEqual({ hidden: 4 * Math.min(48, 6), identity: false });
    expect(blockConv('head').linearBlock).toBeUndefined();
    const spatialOnly = buildArch(smallWdsrB({ reparam: { ...reparamAll, convs: ['spatial'] } }));
    expect(spatialOnly.nodes.filter((n) => n.op === 'conv' && n.linearBlock !== undefined).map((n) => (n as ConvNode).name)).toEqual([
      'body/0/spatial',
      'body/1/spatial',
    ]);
    expect(macsPerLrPixel(graph)).toBe(macsPerLrPixel(plain));
    expect(receptiveFieldRadius(graph)).toBe(receptiveFieldRadius(plain));
    expect(countParameters(graph)).toBeGreaterThan(countParameters(plain)); // trained, not served
  });

  it('applies in tfjs the kernel and bias the pure fold computes', () => {
    const model = TfjsModel.fromWeights(graph, seededWeights(graph, 3));
    const weights = model.namedWeights();
    const lookup = (name: string) => model.trainableVariables[model.trainableNames.indexOf(name)]!;
    for (const name of ['body/0/spatial', 'body/1/expand', 'body/1/reduce']) {
      const node = blockConv(name);
      const { kernel, bias } = tf.tidy(() => {
        const conv = effectiveConv(node, lookup);
        return { kernel: conv.kernel.dataSync(), bias: conv.bias.dataSync() };
      });
      const pure = nodeConv(node, weights);
      expect(maxAbs(kernel, pure.kernel)).toBeLessThan(1e-5);
      expect(maxAbs(bias, pure.bias)).toBeLessThan(1e-5);
    }
    model.dispose();
  });

  it('adds the identity in tfjs as the pure fold does, where a block keeps its width', () => {
    const node: ConvNode = {
      op: 'conv',
      name: 'square',
      input: 'x',
      output: 'y',
      inChannels: 4,
      outChannels: 4,
      kernelSize: 3,
      normalization: 'weight',
      linearBlock: { hidden: 8, identity: true },
    };
    const rng = new Rng(12);
    const weights = new Map(
      [...convVariableShapes(node)].map(([name, shape]) => {
        const size = shape.reduce((a, b) => a * b, 1);
        return [name, { shape, data: uniform(size, 0.5, rng).map((v) => (name.endsWith('/g') ? 1 + v : v)) }];
      }),
    );
    const variables = new Map([...weights].map(([name, { shape, data }]) => [name, tf.variable(tf.tensor(data, shape))]));
    const { kernel, bias } = tf.tidy(() => {
      const conv = effectiveConv(node, (name) => variables.get(name)!);
      return { kernel: conv.kernel.dataSync(), bias: conv.bias.dataSync() };
    });
    const pure = nodeConv(node, weights);
    expect(maxAbs(kernel, pure.kernel)).toBeLessThan(1e-5);
    expect(maxAbs(bias, pure.bias)).toBeLessThan(1e-5);
    for (const variable of variables.values()) variable.dispose();
  });

  it('trains each block as the block: gradients through the collapsed conv equal those through the two convs run one after the other', () => {
    const node = blockConv('body/0/spatial');
    const { inChannels: inC, outChannels: outC } = node;
    const hidden = node.linearBlock!.hidden;
    const model = TfjsModel.fromWeights(graph, seededWeights(graph, 4));
    const names = ['linear0/v', 'linear0/g', 'linear0/bias', 'linear1/v', 'linear1/g', 'linear1/bias'].map((n) => `${node.name}/${n}`);
    const variables = names.map((name) => model.trainableVariables[model.trainableNames.indexOf(name)]!);
    const rng = new Rng(9);
    const x = tf.tensor4d(uniform(2 * 6 * 5 * inC, 1, rng), [2, 6, 5, inC]);
    const target = tf.tensor4d(uniform(2 * 6 * 5 * outC, 1, rng), [2, 6, 5, outC]);
    const wn = (v: tf.Tensor, g: tf.Tensor) => tf.mul(v, tf.div(g, tf.sqrt(tf.sum(tf.square(v), [0, 1, 2]))));
    const collapsed = (...[v0, g0, b0, v1, g1, b1]: tf.Tensor[]) => {
      const lookup = (name: string) =>
        ({ [names[0]!]: v0, [names[1]!]: g0, [names[2]!]: b0, [names[3]!]: v1, [names[4]!]: g1, [names[5]!]: b1 })[name] as tf.Variable;
      const { kernel, bias } = effectiveConv(node, lookup);
      return tf.mean(tf.abs(tf.sub(tf.add(tf.conv2d(x, kernel, 1, 'same'), bias), target)));
    };
    const expanded = (...[v0, g0, b0, v1, g1, b1]: tf.Tensor[]) => {
      const wide = tf.add<tf.Tensor4D>(tf.conv2d(x, wn(v0!, g0!) as tf.Tensor4D, 1, 'same'), b0!);
      const out = tf.add(tf.conv2d(wide, wn(v1!, g1!) as tf.Tensor4D, 1, 'same'), b1!);
      expect(wide.shape).toEqual([2, 6, 5, hidden]);
      return tf.mean(tf.abs(tf.sub(out, target)));
    };
    const [a, b] = [collapsed, expanded].map((f) =>
      tf.tidy(() =>
        tf
          .grads(f)(variables)
          .map((g) => g.dataSync()),
      ),
    );
    for (let i = 0; i < names.length; i++) {
      const scale = Math.max(...Array.from(b![i]!, Math.abs));
      expect(scale).toBeGreaterThan(0);
      expect(maxAbs(a![i]!, b![i]!) / scale).toBeLessThan(1e-4);
    }
    model.dispose();
  });

  it.each<[string, WdsrBConfig]>([
    ['weight norm, every block conv', config],
    ['no normalization, the 3x3 only, x3', smallWdsrB({ scale: 3, normalization: 'none', reparam: { kind: 'collapsible', expansion: 2, convs: ['spatial'] } })],
    [
      'batch norm (after the whole block), x4',
      smallWdsrB({ scale: 4, normalization: 'batch', reparam: { kind: 'collapsible', expansion: 3, convs: ['reduce', 'spatial'] } }),
    ],
  ])('collapses into the plain network computing the same function (%s)', (_, trained) => {
    const trainedGraph = buildArch(trained);
    const model = TfjsModel.fromWeights(trainedGraph, seededWeights(trainedGraph, 5));
    const { arch, weights } = collapseReparam(trained, model.namedWeights());
    expect(arch).toEqual(withoutReparam(trained));
    expect('reparam' in arch).toBe(false);
    const plain = TfjsModel.fromWeights(buildArch(arch), weights); // exactly the plain graph's variables, or this throws
    const x = tf.tensor4d(
      uniform(1 * 9 * 7 * 3, 0.5, new Rng(1)).map((v) => v + 0.5),
      [1, 9, 7, 3],
    );
    const [a, b] = [model, plain].map((m) => tf.tidy(() => m.forward(x, false).dataSync()));
    expect(maxAbs(a!, b!)).toBeLessThan(1e-4);
    for (const m of [model, plain]) m.dispose();
    x.dispose();
  });

  it('refuses weights of another network, and foldConv refuses an uncollapsed block', () => {
    const weights = seededWeights(graph, 6);
    weights.set('body/0/spatial/bias', { shape: [8], data: new Float32Array(8) });
    expect(() => collapseReparam(config, weights)).toThrow(/weights hold variables the network does not have: body\/0\/spatial\/bias/);
    expect(() => foldConv(blockConv('body/0/spatial'), seededWeights(graph, 6))).toThrow(/collapsible linear block: collapse the network first/);
  });
});

describe('expandReparam (a plain network continued as a re-parameterized one)', () => {
  beforeAll(() => initBackend('cpu'));

  it.each<[string, WdsrBConfig]>([
    // expand 8 -> 48: hidden 32 < 48 outputs, so the kxk factor carries the identity and the 1x1 the kernel.
    ['weight norm, every block conv, expansion 4', smallWdsrB({ reparam: reparamAll })],
    [
      'no normalization, the 3x3 only, expansion 2, x3',
      smallWdsrB({ scale: 3, normalization: 'none', reparam: { kind: 'collapsible', expansion: 2, convs: ['spatial'] } }),
    ],
    ['weight norm, expansion 1 (hidden at the rank)', smallWdsrB({ reparam: { ...reparamAll, expansion: 1 } })],
    ['low rank 1: the 3x3 keeps its width, so its block has an identity branch', smallWdsrB({ lowRank: 1, reparam: reparamAll })],
  ])('computes what the plain network computes, and collapses back to it (%s)', (_, trained) => {
    const plainArch = withoutReparam(trained);
    const plainWeights = seededWeights(buildArch(plainArch), 7);
    const seeded = seededWeights(buildArch(trained), 8);
    const expanded = expandReparam(trained, plainWeights, seeded);
    if (trained.lowRank === 1) expect(buildArch(trained).nodes.some((n) => n.op === 'conv' && n.linearBlock?.identity === true)).toBe(true);
    const [plain, reparam] = [TfjsModel.fromWeights(buildArch(plainArch), plainWeights), TfjsModel.fromWeights(buildArch(trained), expanded)];
    const x = tf.tensor4d(
      uniform(1 * 9 * 7 * 3, 0.5, new Rng(2)).map((v) => v + 0.5),
      [1, 9, 7, 3],
    );
    const [a, b] = [plain, reparam].map((m) => tf.tidy(() => m.forward(x, false).dataSync()));
    expect(maxAbs(a!, b!)).toBeLessThan(1e-4);
    x.dispose();
    for (const m of [plain, reparam]) m.dispose();
    const back = collapseReparam(trained, expanded).weights;
    for (const node of buildArch(plainArch).nodes) {
      if (node.op !== 'conv') continue;
      const [original, collapsed] = [nodeConv(node, plainWeights), nodeConv(node, back)];
      expect(maxAbs(collapsed.kernel, original.kernel), node.name).toBeLessThan(1e-5);
      expect(maxAbs(collapsed.bias, original.bias), node.name).toBeLessThan(1e-6);
    }
  });

  it('keeps the seeded values in the free parts, which the zero rows of the other factor hide', () => {
    const trained = smallWdsrB({ reparam: reparamAll });
    const graph = buildArch(trained);
    const seeded = seededWeights(graph, 8);
    const expanded = expandReparam(trained, seededWeights(buildArch(withoutReparam(trained)), 7), seeded);
    // body/0/spatial: 3x3, 4 -> hidden 32 -> 8 outputs (hidden >= outputs): kxk factor [W | free], 1x1 factor [I; 0].
    const node = graph.nodes.find((n): n is ConvNode => n.op === 'conv' && n.name === 'body/0/spatial')!;
    const hidden = node.linearBlock!.hidden;
    const rows = 3 * 3 * node.inChannels;
    const first = expanded.get('body/0/spatial/linear0/v')!.data;
    const seededFirst = weightNormKernel(seeded.get('body/0/spatial/linear0/v')!.data, seeded.get('body/0/spatial/linear0/g')!.data);
    for (let row = 0; row < rows; row++)
      for (let h = node.outChannels; h < hidden; h++) expect(first[row * hidden + h]).toBeCloseTo(seededFirst[row * hidden + h]!, 6);
    const second = weightNormKernel(expanded.get('body/0/spatial/linear1/v')!.data, expanded.get('body/0/spatial/linear1/g')!.data);
    for (let h = 0; h < hidden; h++) for (let o = 0; o < node.outChannels; o++) expect(second[h * node.outChannels + o]).toBeCloseTo(h === o ? 1 : 0, 6);
    expect(expanded.get('body/0/spatial/linear0/bias')!.data.every((b) => b === 0)).toBe(true);
  });
});

interface DecodedModel {
  graph: { node: { opType: string; input: string[]; output: string[] }[]; initializer: { name: string; dims: number[] }[] };
  metadataProps: { key: string; value: string }[];
}

const decode = (bytes: Uint8Array) => ModelProtoType.toObject(ModelProtoType.decode(bytes), { longs: Number, defaults: true }) as DecodedModel;

/** Multiply-adds per LR pixel of an exported float graph: every conv weight once (banded chains share theirs; no conv follows a pixel shuffle in WDSR-B). */
function onnxMacsPerLrPixel(model: DecodedModel): number {
  const dims = new Map(model.graph.initializer.map((t) => [t.name, t.dims]));
  const weights = new Set(model.graph.node.filter((n) => n.opType === 'Conv').map((n) => n.input[1]!));
  return [...weights].reduce((sum, name) => sum + dims.get(name)!.reduce((a, b) => a * b, 1), 0);
}

const onnxParameters = (model: DecodedModel) =>
  model.graph.initializer.filter((t) => /\/[WB]$/.test(t.name)).reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);

describe('exporting a re-parameterized network', () => {
  // The shipped x2 size: the cost rule is checked where it matters.
  const served = smallWdsrB({ nFeats: 16, nBlocks: 8 });
  const trained = smallWdsrB({ nFeats: 16, nBlocks: 8, reparam: { kind: 'collapsible', expansion: 4, convs: ['expand', 'reduce', 'spatial'] } });
  let plainModel: DecodedModel;
  let reparamModel: DecodedModel;
  let entries: Awaited<ReturnType<typeof exportModel>>['entry'][];
  let reparamBytes: Uint8Array;

  beforeAll(async () => {
    const [plain, reparam] = await Promise.all([
      exportModel(served, seededWeights(buildArch(served), 1)),
      exportModel(trained, seededWeights(buildArch(trained), 2)),
    ]);
    [plainModel, reparamModel] = [decode(plain.bytes), decode(reparam.bytes)];
    entries = [plain.entry, reparam.entry];
    reparamBytes = reparam.bytes;
  });

  it('writes exactly the plain WDSR-B graph: the same nodes, in order, and the same initializer shapes', () => {
    const structure = (m: DecodedModel) => m.graph.node.map((n) => `${n.opType}(${n.input.join(',')})->${n.output.join(',')}`);
    expect(structure(reparamModel)).toEqual(structure(plainModel));
    const shapes = (m: DecodedModel) => m.graph.initializer.map((t) => `${t.name}:[${t.dims.join(',')}]`);
    expect(shapes(reparamModel)).toEqual(shapes(plainModel));
  });

  it('costs what the served model costs: equal parameters and multiply-adds per LR pixel', () => {
    const plainGraph = buildArch(served);
    expect(onnxParameters(reparamModel)).toBe(onnxParameters(plainModel));
    expect(onnxMacsPerLrPixel(reparamModel)).toBe(onnxMacsPerLrPixel(plainModel));
    expect(onnxMacsPerLrPixel(plainModel)).toBe(macsPerLrPixel(plainGraph));
    expect(macsPerLrPixel(plainGraph)).toBe(macsPerLrPixel(buildArch(trained)));
    // The manifest entry describes the served network: its arch, its parameters (weight-norm g counted, as countParameters does).
    expect(entries[1]!.arch).toEqual(served);
    expect(entries[1]!.parameters).toBe(entries[0]!.parameters);
    expect(entries[1]!.parameters).toBe(countParameters(plainGraph));
    expect(entries[1]!.receptiveField).toBe(entries[0]!.receptiveField);
  });

  it('records the trained architecture in the model metadata, and only for a re-parameterized network', () => {
    const metadata = (m: DecodedModel) => new Map(m.metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(metadata(reparamModel).get('arch')!)).toEqual(served);
    expect(JSON.parse(metadata(reparamModel).get('trainedArch')!)).toEqual(trained);
    expect(metadata(plainModel).has('trainedArch')).toBe(false);
  });

  it('runs in onnxruntime', async () => {
    const session = await ort.InferenceSession.create(reparamBytes);
    const { sr } = await session.run({ lr: new ort.Tensor('float32', new Float32Array(3 * 6 * 5).fill(0.5), [1, 3, 6, 5]) });
    expect(sr!.dims).toEqual([1, 3, 12, 10]);
    await session.release();
  });
});
