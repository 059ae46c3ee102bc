import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/digest';
import type { WdsrBConfig } from '../../training/archs/config';
import { buildArch } from '../../training/archs/index';
import { initBackend } from '../../training/backend/init';
import { trainingHooks } from '../../training/cli/training-hooks';
import type { DistillConfig, ExperimentConfig } from '../../training/config/experiment';
import { ConfigError, validateExperimentConfig } from '../../training/config/validate';
import { withRepoRelativePaths } from '../../training/config/load';
import { Rng } from '../../training/model/rng';
import { loadTeacher } from '../../training/distill/teacher';
import { exportModel } from '../../training/quant/export-model';
import { distillationLoss } from '../../training/losses/distill';
import { l1Loss } from '../../training/losses/l1';
import { ProgressLine } from '../../training/loop/progress';
import { openSession } from '../../training/loop/session';
import { train } from '../../training/loop/trainer';
import { initialWeights } from '../../training/model/init';
import { TfjsModel } from '../../training/model/tfjs-model';
import { writeImages } from './helpers/images';
import { maxAbs } from './helpers/parity';
import { finalWeights, silent, trainInterrupted } from './helpers/training-runs';

const tiny = (scale: 2 | 3 = 2): WdsrBConfig => ({
  arch: 'wdsr_b',
  scale,
  nFeats: 4,
  nBlocks: 1,
  expansion: 2,
  lowRank: 0.5,
  resScale: 1,
  normalization: 'weight',
});

describe('distillationLoss', () => {
  beforeAll(() => initBackend('cpu'));

  it('is (1 - w) L1(student, HR) + w L1(student, teacher) on a pair computed by hand', () => {
    const student = tf.tensor1d([0.5, 0.2, 0.9, 0.4]);
    const hr = tf.tensor1d([1, 0, 0.9, 0.4]); // |diff| 0.5, 0.2, 0, 0: L1 0.175
    const teacher = tf.tensor1d([0.5, 0.6, 0.5, 0.4]); // |diff| 0, 0.4, 0.4, 0: L1 0.2
    expect(distillationLoss(student, hr, teacher, 0.25).dataSync()[0]).toBeCloseTo(0.75 * 0.175 + 0.25 * 0.2, 6); // 0.18125
    expect(distillationLoss(student, hr, teacher, 1).dataSync()[0]).toBeCloseTo(0.2, 6);
    expect(distillationLoss(student, hr, teacher, 0).dataSync()[0]).toBeCloseTo(l1Loss(student, hr).dataSync()[0]!, 6);
    expect(() => distillationLoss(student, hr, teacher, 1.5)).toThrow(/must be in \[0, 1\], got 1.5/);
  });

  it('passes no gradient into the teacher output: the student gradient is the weighted sum of both terms', () => {
    const [hr, teacher] = [tf.tensor1d([1, 0]), tf.tensor1d([0, 1])];
    // d/ds of 0.7 * mean|s - hr| + 0.3 * mean|s - t| at s = (0.5, 0.5): (0.7 * -1 + 0.3 * 1) / 2, (0.7 * 1 + 0.3 * -1) / 2.
    const grad = tf
      .grad((s: tf.Tensor) => distillationLoss(s, hr, teacher, 0.3))(tf.tensor1d([0.5, 0.5]))
      .dataSync();
    expect(Array.from(grad).map((g) => Number(g.toFixed(6)))).toEqual([-0.2, 0.2]);
  });
});

describe('distillation teacher', () => {
  let workDir: string;
  let teacherPath: string;
  let teacherWeights: ReturnType<typeof initialWeights>;
  let distill: DistillConfig;

  beforeAll(async () => {
    await initBackend('cpu');
    workDir = await mkdtemp(join(tmpdir(), 'wdsr-distill-'));
    teacherWeights = initialWeights(buildArch(tiny()), new Rng(21));
    const { bytes } = await exportModel(tiny(), teacherWeights);
    teacherPath = join(workDir, 'teacher-fp32.onnx');
    await writeFile(teacherPath, bytes);
    distill = { teacher: teacherPath, sha256: await sha256Hex(bytes), weight: 0.5 };
  });

  it('loads a tiny exported model and predicts a batch, NHWC like the HR patches, as the network computes it', async () => {
    const teacher = await loadTeacher(distill, 2);
    expect(teacher).toMatchObject({ path: teacherPath, sha256: distill.sha256, scale: 2 });
    const rng = new Rng(4);
    const [batchSize, lrPatchSize] = [3, 6];
    const lr = Float32Array.from({ length: batchSize * lrPatchSize * lrPatchSize * 3 }, () => rng.next());
    const sr = await teacher.predict({ lr, batchSize, lrPatchSize });
    await teacher.close();
    const model = TfjsModel.fromWeights(buildArch(tiny()), teacherWeights);
    const expected = tf.tidy(() => tf.clipByValue(model.forward(tf.tensor4d(lr, [batchSize, lrPatchSize, lrPatchSize, 3]), false), 0, 1).dataSync());
    model.dispose();
    expect(sr).toHaveLength(batchSize * 12 * 12 * 3);
    expect(maxAbs(sr, expected)).toBeLessThan(1e-4);
  });

  it('refuses a file whose SHA-256 is not the pinned one, naming both', async () => {
    const wrong = 'f'.repeat(64);
    const error = await loadTeacher({ ...distill, sha256: wrong }, 2).catch((e: unknown) => e);
    // The same check as every pinned file's (warmStart, initFrom, quantization.from): a config error.
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `distill.teacher: ${distill.teacher} has SHA-256 ${distill.sha256}, but the config pins ${wrong}: refusing other bytes than the config names (pin the new hash if the file was meant to change)`,
    );
  });

  it('refuses a missing file, a quantized model and a teacher of another scale', async () => {
    await expect(loadTeacher({ ...distill, teacher: join(workDir, 'absent.onnx') }, 2)).rejects.toThrow(/distill.teacher: cannot read .*absent\.onnx/);
    const int8 = await exportModel(tiny(), teacherWeights, { int8Weights: true, floatConvs: [] });
    const int8Path = join(workDir, 'teacher-int8.onnx');
    await writeFile(int8Path, int8.bytes);
    await expect(loadTeacher({ ...distill, teacher: int8Path, sha256: await sha256Hex(int8.bytes) }, 2)).rejects.toThrow(
      /is a quantized model \(int8-weights\): distill from its fp32 reference/,
    );
    await expect(loadTeacher(distill, 3)).rejects.toThrow(/maps a \[1, 3, 8, 8\] input to \[1, 3, 16, 16\], not the x3 student's \[1, 3, 24, 24\]/);
  });
});

describe('training with a teacher', () => {
  let workDir: string;
  let config: ExperimentConfig;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'wdsr-distill-train-'));
    await writeImages(join(workDir, 'train'), 3, 40, 5);
    const { bytes } = await exportModel(tiny(), initialWeights(buildArch(tiny()), new Rng(22)));
    const teacher = join(workDir, 'teacher-fp32.onnx');
    await writeFile(teacher, bytes);
    config = validateExperimentConfig(
      {
        name: 'distill-test',
        arch: { ...tiny(), nFeats: 6 },
        distill: { teacher, sha256: await sha256Hex(bytes), weight: 0.4 },
        data: { train: [join(workDir, 'train')], val: join(workDir, 'train'), hrPatchSize: 16 },
        train: {
          iterations: 2,
          batchSize: 4,
          lr: 1e-3,
          lrHalvingSteps: [],
          seed: 3,
          backend: 'wasm',
          logEvery: 1,
          validateEvery: 0,
          checkpointEvery: 1,
          keepCheckpoints: 3,
        },
      },
      'inline',
    );
    await initBackend('wasm');
  });

  it.each([1, 2])('a step minimises the mixed loss of the teacher run on the same LR batch (%i worker(s))', async (workers) => {
    const run = { ...config, train: { ...config.train, workers } };
    const session = await openSession(run, trainingHooks);
    const teacher = await loadTeacher(run.distill!, 2);
    try {
      const batch = session.sampler.nextBatch(4, session.rng);
      const targets = await teacher.predict(batch);
      const hrSize = batch.lrPatchSize * 2;
      const expected = tf.tidy(() => {
        const sr = session.model.forward(tf.tensor4d(batch.lr, [4, batch.lrPatchSize, batch.lrPatchSize, 3]), true);
        const hr = tf.tensor4d(batch.hr, [4, hrSize, hrSize, 3]);
        return [distillationLoss(sr, hr, tf.tensor4d(targets, [4, hrSize, hrSize, 3]), 0.4), l1Loss(sr, hr)].map((loss) => loss.dataSync()[0]!);
      });
      const loss = await session.step(batch, 1e-3);
      expect(loss).toBeCloseTo(expected[0]!, 5);
      expect(Math.abs(loss - expected[1]!)).toBeGreaterThan(1e-3); // not the plain L1 loss
    } finally {
      await teacher.close();
      await session.close();
    }
  });

  it('trains 2 iterations, and an interrupted run resumes to the same weights', async () => {
    const straight = join(workDir, 'straight');
    const lines: string[] = [];
    const result = await train({
      config,
      runDir: straight,
      resume: false,
      hooks: trainingHooks,
      console: new ProgressLine({ write: (s: string) => lines.push(s) > 0 }),
    });
    expect(result).toMatchObject({ iteration: 2, interrupted: false });
    expect(lines.join('')).toMatch(/distilling from .*teacher-fp32\.onnx \(sha256 [0-9a-f]{12}\.\.\.\), weight 0\.4/);

    const interrupted = join(workDir, 'interrupted');
    expect((await trainInterrupted(config, interrupted, 1)).resumed).toMatchObject({ iteration: 2 });
    expect(await finalWeights(interrupted)).toEqual(await finalWeights(straight));
    expect(JSON.parse(await readFile(join(straight, 'config.json'), 'utf8')).distill).toEqual(withRepoRelativePaths(config.distill));
  });

  it('refuses to start against a teacher file of another hash, before creating the run directory', async () => {
    const runDir = join(workDir, 'refused');
    const wrong = { ...config, distill: { ...config.distill!, sha256: '0'.repeat(64) } };
    await expect(train({ config: wrong, runDir, resume: false, hooks: trainingHooks, console: silent })).rejects.toThrow(
      /distill\.teacher: .* has SHA-256 [0-9a-f]{64}, but the config pins 0{64}/,
    );
    expect(
      await stat(runDir).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
  });
});
