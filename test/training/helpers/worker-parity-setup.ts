import type { TestProject } from 'vitest/node';
import type { ArchConfig } from '../../../training/archs/config';
import { buildArch } from '../../../training/archs/index';
import { Rng } from '../../../training/model/rng';
import { calibrate } from '../../../training/quant/calibrate';
import { exportModel } from '../../../training/quant/export-model';
import type { NamedWeights } from '../../../training/model/weights';
import { initialWeights } from '../../../training/model/init';
import { rangeWeights } from '../../../training/model/quantization/plan';
import type { ParityModel } from '../../worker/parity-models';
import { syntheticImage } from './weights';

const wdsrB = (scale: 2 | 3 | 4, resScale = 1): ArchConfig => ({
  arch: 'wdsr_b',
  scale,
  nFeats: 8,
  nBlocks: 2,
  expansion: 4,
  lowRank: 0.8,
  resScale,
  normalization: 'weight',
});

/**
 * Vitest global setup of the Worker tests (runs in Node): exports randomly initialised
 * WDSR-B networks with `npm run export`'s own code, float at x2, x3 (with residual scaling)
 * and x4, and int8 QDQ of a quantization-aware x2 model, for test/worker/export-parity.test.ts.
 */
export default async function setup(project: TestProject): Promise<void> {
  const models: ParityModel[] = [];
  for (const [label, config] of [
    ['WDSR-B x2', wdsrB(2)],
    ['WDSR-B x3, residual scaling', wdsrB(3, 0.5)],
    ['WDSR-B x4', wdsrB(4)],
  ] as const) {
    const weights = initialWeights(buildArch(config), new Rng(5));
    models.push(serialize(label, config, weights, (await exportModel(config, weights)).bytes));
  }
  const config = wdsrB(2);
  const graph = buildArch(config);
  const floatConvs = ['tail', 'skip'];
  const float = initialWeights(graph, new Rng(6));
  const samples = [0, 1, 2].map((seed) => ({ data: syntheticImage(16, 16, seed), dims: [1, 3, 16, 16] as const }));
  const plan = await calibrate(graph, float, samples, { kind: 'minmax' }, new Set(floatConvs));
  const aware = new Map([...float, ...rangeWeights(plan)]);
  const int8 = await exportModel(config, aware, {
    floatConvs,
    trained: { method: { kind: 'minmax' }, samples: samples.length, from: { run: 'random', checkpoint: 'none', iterations: 0 } },
  });
  models.push({ ...serialize('WDSR-B x2, quantization-aware, int8', config, aware, int8.bytes), floatConvs });
  project.provide('parityModels', models);
}

function serialize(label: string, config: ArchConfig, weights: NamedWeights, onnx: Uint8Array): ParityModel {
  return {
    label,
    config,
    weights: [...weights].map(([name, { shape, data }]) => ({ name, shape, values: Array.from(data) })),
    onnx: Array.from(onnx),
  };
}
