import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildArch } from '../../training/archs/index';
import { initBackend } from '../../training/backend/init';
import { trainingHooks } from '../../training/cli/training-hooks';
import { calibrate } from '../../training/quant/calibrate';
import { validateExperimentConfig } from '../../training/config/validate';
import { exportModel } from '../../training/quant/export-model';
import type { ManifestModel } from '../../training/onnx/manifest';
import { quantizeActivation, quantizeWeightsPerChannel } from '../../training/model/quantization/int8-arithmetic';
import { exportRun } from '../../training/export/run-export';
import { exportCheckpoint } from '../../training/quant/export-model';
import type { LogRecord } from '../../training/loop/run-log';
import { train } from '../../training/loop/trainer';
import { TfjsModel } from '../../training/model/tfjs-model';
import { fakeQuantizeActivation, fakeQuantizeKernel } from '../../training/model/quantization/fake-quant';
import { rangeWeights, splitRanges } from '../../training/model/quantization/plan';
import { smallWdsrB } from './helpers/arch';
import { writeImages } from './helpers/images';
import { runOnnx } from './helpers/onnx-run';
import { expectInt8Parity, tfjsForward } from './helpers/parity';
import { pinLatestCheckpoint } from './helpers/pin';
import { silent } from './helpers/training-runs';
import { seededWeights, syntheticImage } from './helpers/weights';

const wdsrB = smallWdsrB();
const floatConvs = ['tail', 'skip'];

describe('fake quantization', () => {
  beforeAll(() => initBackend('cpu'));

  it('rounds activations onto the exporter uint8 grid and clamps to its ends', () => {
    const range = { min: -0.3, max: 1.7 };
    const { scale, zeroPoint } = quantizeActivation(range);
    const values = [-1, -0.3, -0.0049, 0, 0.00391, 0.5, 1.23456, 1.7, 3];
    const out = tf.tidy(() => fakeQuantizeActivation(tf.tensor1d(values), range).dataSync());
    values.forEach((v, i) => {
      const level = Math.min(255, Math.max(0, Math.round(v / scale) + zeroPoint));
      expect(out[i]).toBeCloseTo((level - zeroPoint) * scale, 6);
    });
    expect(out[0]).toBeCloseTo(-zeroPoint * scale, 6);
    expect(out[8]).toBeCloseTo((255 - zeroPoint) * scale, 6);
  });

  it('passes gradients straight through inside the range and none outside it', () => {
    const grads = tf.tidy(() => {
      const x = tf.tensor1d([-1, -0.2, 0.4, 1.6, 2]);
      return tf
        .grad((t: tf.Tensor) => tf.sum(tf.mul(fakeQuantizeActivation(t, { min: -0.3, max: 1.7 }), tf.tensor1d([1, 2, 3, 4, 5]))))(x)
        .dataSync();
    });
    expect(Array.from(grads)).toEqual([0, 2, 3, 4, 0]);
  });

  it('rounds kernels per output channel exactly as the exporter writes them', () => {
    const [k, inC, outC] = [3, 4, 5];
    const hwio = Float32Array.from({ length: k * k * inC * outC }, (_, i) => Math.sin(i * 1.37) * (1 + (i % outC)));
    const quantized = tf.tidy(() => fakeQuantizeKernel(tf.tensor4d(hwio, [k, k, inC, outC])).kernel.dataSync());
    const oihw = new Float32Array(hwio.length);
    hwio.forEach((v, i) => {
      const o = i % outC;
      const input = Math.floor(i / outC) % inC;
      const spatial = Math.floor(i / (outC * inC));
      oihw[(o * inC + input) * k * k + spatial] = v;
    });
    const exported = quantizeWeightsPerChannel(oihw, outC);
    hwio.forEach((_, i) => {
      const o = i % outC;
      const input = Math.floor(i / outC) % inC;
      const spatial = Math.floor(i / (outC * inC));
      const j = (o * inC + input) * k * k + spatial;
      // + 0: a rounded-away negative is -0 in float math and 0 in the Int8Array; the same level.
      expect(quantized[i]! + 0).toBe(Math.fround(exported.values[j]! * exported.scales[o]!) + 0);
    });
  });
});

describe('quantization-aware TfjsModel', () => {
  const graph = buildArch(wdsrB);
  const weights = seededWeights(graph, 21);
  const samples = [0, 1, 2].map((seed) => ({ data: syntheticImage(16, 16, seed), dims: [1, 3, 16, 16] as const }));
  beforeAll(() => initBackend('cpu'));

  it('computes what the int8 ONNX export computes, far closer than the float model does', async () => {
    const plan = await calibrate(graph, weights, samples, { kind: 'minmax' }, new Set(floatConvs));
    const aware = TfjsModel.fromWeights(graph, new Map([...weights, ...rangeWeights(plan)]), { floatConvs });
    const float = TfjsModel.fromWeights(graph, weights);
    try {
      const { bytes } = await exportModel(wdsrB, aware.namedWeights(), {
        floatConvs,
        trained: { method: { kind: 'minmax' }, samples: samples.length, from: { run: 'random', checkpoint: 'none', iterations: 0 } },
      });
      const image = syntheticImage(20, 18, 7);
      const int8 = (await runOnnx(bytes, image, 20, 18)).data as Float32Array;
      expectInt8Parity(int8, tfjsForward(aware, image, 20, 18), tfjsForward(float, image, 20, 18));
    } finally {
      aware.dispose();
      float.dispose();
    }
  });

  it('gives every trainable variable a gradient through the rounding', async () => {
    const plan = await calibrate(graph, weights, samples, { kind: 'minmax' }, new Set(floatConvs));
    const model = TfjsModel.fromWeights(graph, new Map([...weights, ...rangeWeights(plan)]), { floatConvs });
    try {
      const norms = tf.tidy(() => {
        const x = tf.tensor4d(syntheticImage(12, 12, 3), [1, 12, 12, 3]);
        const { grads } = tf.variableGrads(() => tf.mean(tf.abs(model.forward(x, true))) as tf.Scalar, model.trainableVariables);
        return model.trainableVariables.map((v) => tf.norm(grads[v.name]!).dataSync()[0]!);
      });
      expect(norms.every((n) => n > 0)).toBe(true);
    } finally {
      model.dispose();
    }
  });

  it('carries its ranges in its weights, and refuses weights that lack one', async () => {
    const plan = await calibrate(graph, weights, samples, { kind: 'percentile', percentile: 99.9 }, new Set(floatConvs));
    const model = TfjsModel.fromWeights(graph, new Map([...weights, ...rangeWeights(plan)]), { floatConvs });
    try {
      const saved = model.namedWeights();
      const restored = splitRanges(graph, saved, floatConvs).plan;
      expect([...restored.ranges.keys()].sort()).toEqual([...plan.ranges.keys()].sort());
      for (const [tensor, range] of plan.ranges) {
        expect(restored.ranges.get(tensor)).toEqual({ min: Math.fround(range.min), max: Math.fround(range.max) });
      }
      const [first] = plan.ranges.keys();
      const lacking = new Map([...saved].filter(([name]) => name !== `quant/${first}`));
      expect(() => TfjsModel.fromWeights(graph, lacking, { floatConvs })).toThrow(/lack the ranges/);
      expect(() => TfjsModel.fromWeights(graph, saved)).toThrow(/quant\//);
    } finally {
      model.dispose();
    }
  });
});

describe('a quantization-aware run', () => {
  const valPsnr = (records: LogRecord[]) => records.flatMap((r) => (r.type === 'val' ? [r.psnr] : []));

  it('starts as the post-training int8 model, trains through the rounding on two threads, and exports with the ranges it trained with', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'wdsr-qat-'));
    try {
      await writeImages(join(workDir, 'train'), 3, 40, 7);
      await writeImages(join(workDir, 'val'), 1, 32, 8);
      const raw = {
        name: 'float',
        arch: { arch: 'wdsr_b', scale: 2, nFeats: 6, nBlocks: 1, expansion: 4, lowRank: 0.8, resScale: 1, normalization: 'weight' },
        data: { train: [join(workDir, 'train')], val: join(workDir, 'val'), hrPatchSize: 16 },
        train: { iterations: 6, batchSize: 2, lr: 1e-3, lrHalvingSteps: [], seed: 2, logEvery: 1, validateEvery: 3, checkpointEvery: 3, keepCheckpoints: 1 },
      };
      const floatDir = join(workDir, 'float');
      await train({ config: validateExperimentConfig(raw, 'float'), runDir: floatDir, resume: false, hooks: trainingHooks, console: silent });

      const quantization = { from: await pinLatestCheckpoint(floatDir), calibration: 'minmax', calibrationPatches: 8, floatConvs: ['tail', 'skip'] };
      const aware = validateExperimentConfig({ ...raw, name: 'aware', train: { ...raw.train, lr: 1e-4, workers: 2 }, quantization }, 'aware');
      const awareDir = join(workDir, 'aware');
      const records: LogRecord[] = [];
      await train({ config: aware, runDir: awareDir, resume: false, hooks: trainingHooks, console: silent, onRecord: (r) => records.push(r) });
      const [start, , end] = valPsnr(records);

      const exported = async (run: string) =>
        exportRun({
          run,
          precision: 'int8',
          modelDir: workDir,
          calibration: { kind: 'minmax' },
          calibrationPatches: 8,
          floatConvs: ['tail', 'skip'],
          evalDirs: [join(workDir, 'val')],
        });
      const psnrOf = (entry: ManifestModel) => (entry.metrics as { sets: Record<string, { psnr: number }> }).sets.val!.psnr;
      // The fake-quantized forward pass scores what onnxruntime's int8 model scores: before training
      // against post-training quantization of the float checkpoint, after it against the run's own export.
      expect(Math.abs(start! - psnrOf(await exported(floatDir)))).toBeLessThan(0.05);
      const qat = await exported(awareDir);
      expect(Math.abs(end! - psnrOf(qat))).toBeLessThan(0.05);
      expect(qat.quantization).toMatchObject({
        calibration: { kind: 'minmax', samples: 8 },
        quantizationAwareTraining: { from: { run: 'float', checkpoint: '00000006', iterations: 6 } },
        floatConvs: ['tail', 'skip'],
      });
      // Weight-only int8 keeps float activations, which such a run was not trained for.
      await expect(exportCheckpoint(awareDir, { precision: 'int8-weights', floatConvs: [] })).rejects.toThrow(/quantization-aware: export it as --int8/);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });
});
