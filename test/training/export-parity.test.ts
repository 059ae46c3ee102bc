import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../src/core/image';
import { readPlanar } from '../../src/core/planar';
import { SAMPLES } from '../support/samples/catalog';
import type { ArchConfig } from '../../training/archs/config';
import { buildArch } from '../../training/archs/index';
import { exportModel } from '../../training/quant/export-model';
import { TfjsModel } from '../../training/model/tfjs-model';
import { seededWeights } from './helpers/weights';

/** Runs the tfjs forward pass on an NCHW input and returns NCHW output clamped like the exported graph. */
function tfjsForward(model: TfjsModel, nchw: Float32Array, height: number, width: number): Float32Array {
  return tf.tidy(() => {
    const input = tf.transpose(tf.tensor4d(nchw, [1, 3, height, width]), [0, 2, 3, 1]);
    return tf.transpose(tf.clipByValue(model.forward(input, false), 0, 1), [0, 3, 1, 2]).dataSync() as Float32Array;
  });
}

async function onnxForward(bytes: Uint8Array, nchw: Float32Array, height: number, width: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const { sr } = await session.run({ lr: new ort.Tensor('float32', nchw, [1, 3, height, width]) });
  await session.release();
  return sr!.data as Float32Array;
}

/** Parity on a saturated output would prove nothing: most values must lie strictly inside (0, 1). */
const interiorFraction = (a: Float32Array) => a.filter((v) => v > 0 && v < 1).length / a.length;

const maxAbsDifference = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

const configs: [string, ArchConfig][] = [
  ['WDSR-B x2, weight norm', { arch: 'wdsr_b', scale: 2, nFeats: 8, nBlocks: 2, expansion: 6, lowRank: 0.8, resScale: 1, normalization: 'weight' }],
  ['WDSR-B x3, residual scaling', { arch: 'wdsr_b', scale: 3, nFeats: 8, nBlocks: 2, expansion: 4, lowRank: 0.8, resScale: 0.5, normalization: 'weight' }],
  ['WDSR-A x4, no normalization', { arch: 'wdsr_a', scale: 4, nFeats: 8, nBlocks: 1, blockFeats: 16, resScale: 1, normalization: 'none' }],
  ['WDSR-B x2, batch norm', { arch: 'wdsr_b', scale: 2, nFeats: 8, nBlocks: 2, expansion: 6, lowRank: 0.8, resScale: 1, normalization: 'batch' }],
  ['EDSR x4', { arch: 'edsr', scale: 4, nFeats: 8, nBlocks: 2, resScale: 0.1, normalization: 'none' }],
  // Trained as collapsible linear blocks, exported collapsed: the ONNX is the plain graph, the reference the training graph.
  [
    'WDSR-B x2, reparam (every block conv), weight norm, residual scaling',
    {
      arch: 'wdsr_b',
      scale: 2,
      nFeats: 8,
      nBlocks: 2,
      expansion: 6,
      lowRank: 0.8,
      resScale: 0.25,
      normalization: 'weight',
      reparam: { kind: 'collapsible', expansion: 4, convs: ['expand', 'reduce', 'spatial'] },
    },
  ],
  [
    'WDSR-B x3, reparam (3x3 only), batch norm',
    {
      arch: 'wdsr_b',
      scale: 3,
      nFeats: 8,
      nBlocks: 2,
      expansion: 4,
      lowRank: 0.8,
      resScale: 0.5,
      normalization: 'batch',
      reparam: { kind: 'collapsible', expansion: 8, convs: ['spatial'] },
    },
  ],
];

describe('exported ONNX matches the tfjs forward pass (fp32, within 1e-4 on [0, 1])', () => {
  let painted: RgbaImage;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    painted = SAMPLES.find((sample) => sample.file === 'gradient-shapes.png')!.paint(); // edges, text and gradients
  });

  it.each(configs)('%s on random and real inputs', async (_, config) => {
    const graph = buildArch(config);
    const model = TfjsModel.fromWeights(graph, seededWeights(graph, 11));
    try {
      const { bytes } = await exportModel(config, model.namedWeights());
      const random = Float32Array.from({ length: 3 * 12 * 10 }, (_, i) => ((i * 7919) % 1000) / 999);
      expect(interiorFraction(tfjsForward(model, random, 12, 10))).toBeGreaterThan(0.5);
      expect(maxAbsDifference(tfjsForward(model, random, 12, 10), await onnxForward(bytes, random, 12, 10))).toBeLessThan(1e-4);
      const real = readPlanar(painted, { x: 40, y: 40, width: 24, height: 24 }, [0, 1]).data;
      expect(maxAbsDifference(tfjsForward(model, real, 24, 24), await onnxForward(bytes, real, 24, 24))).toBeLessThan(1e-4);
    } finally {
      model.dispose();
    }
  });
});
