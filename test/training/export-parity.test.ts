import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../src/core/image';
import { readPlanar } from '../../src/core/planar';
import { SAMPLES } from '../support/samples/catalog';
import type { ArchConfig } from '../../training/archs/config';
import { buildArch } from '../../training/archs/index';
import { exportModel } from '../../training/quant/export-model';
import { TfjsModel } from '../../training/model/tfjs-model';
import { smallWdsrB } from './helpers/arch';
import { runOnnx } from './helpers/onnx-run';
import { interiorFraction, maxAbs, tfjsForward } from './helpers/parity';
import { seededWeights } from './helpers/weights';

const configs: [string, ArchConfig][] = [
  ['WDSR-B x2, weight norm', smallWdsrB()],
  ['WDSR-B x3, residual scaling', smallWdsrB({ scale: 3, expansion: 4, resScale: 0.5 })],
  ['WDSR-A x4, no normalization', { arch: 'wdsr_a', scale: 4, nFeats: 8, nBlocks: 1, blockFeats: 16, resScale: 1, normalization: 'none' }],
  ['WDSR-B x2, batch norm', smallWdsrB({ normalization: 'batch' })],
  ['EDSR x4', { arch: 'edsr', scale: 4, nFeats: 8, nBlocks: 2, resScale: 0.1, normalization: 'none' }],
  // Trained as collapsible linear blocks, exported collapsed: the ONNX is the plain graph, the reference the training graph.
  [
    'WDSR-B x2, reparam (every block conv), weight norm, residual scaling',
    smallWdsrB({ resScale: 0.25, reparam: { kind: 'collapsible', expansion: 4, convs: ['expand', 'reduce', 'spatial'] } }),
  ],
  [
    'WDSR-B x3, reparam (3x3 only), batch norm',
    smallWdsrB({ scale: 3, expansion: 4, resScale: 0.5, normalization: 'batch', reparam: { kind: 'collapsible', expansion: 8, convs: ['spatial'] } }),
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
      expect(maxAbs(tfjsForward(model, random, 12, 10), (await runOnnx(bytes, random, 12, 10)).data as Float32Array)).toBeLessThan(1e-4);
      const real = readPlanar(painted, { x: 40, y: 40, width: 24, height: 24 }, [0, 1]).data;
      expect(maxAbs(tfjsForward(model, real, 24, 24), (await runOnnx(bytes, real, 24, 24)).data as Float32Array)).toBeLessThan(1e-4);
    } finally {
      model.dispose();
    }
  });
});
