import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildArch } from '../../training/archs';
import { initBackend } from '../../training/backend/init';
import { saveCheckpoint } from '../../training/checkpoint/save';
import { UsageError } from '../../training/config/command-line';
import type { FloatImage } from '../../training/metrics/evaluate';
import { loadModelUpscaler } from '../../training/eval/model-upscaler';
import { PAPER_ADAM } from '../../training/loop/adam';
import { TfjsModel } from '../../training/model/tfjs-model';
import { tfjsUpscaler } from '../../training/loop/tfjs-upscaler';
import { tinyExperimentConfig } from './helpers/tiny-config';

const config = tinyExperimentConfig('eval-model-test');

describe('loadModelUpscaler with checkpoints', () => {
  let runDir: string;
  let expected: FloatImage;
  let checkpointDir: string;
  const lr: FloatImage = { width: 6, height: 5, data: Float32Array.from({ length: 90 }, (_, i) => ((i * 7) % 11) / 10) };

  beforeAll(async () => {
    await initBackend('wasm');
    runDir = await mkdtemp(join(tmpdir(), 'wdsr-eval-model-'));
    // Two checkpoints with different weights: the run directory must resolve to the newer one.
    const older = TfjsModel.create(buildArch(config.arch), 1);
    const newer = TfjsModel.create(buildArch(config.arch), 2);
    for (const [iteration, model] of [
      [1, older],
      [2, newer],
    ] as const) {
      const weights = model.namedWeights();
      checkpointDir = await saveCheckpoint(
        runDir,
        {
          iteration,
          learningRate: 1e-3,
          rngState: [1, 2, 3, 4],
          config,
          weights,
          optimizer: { step: iteration, firstMoments: weights, secondMoments: weights, hyperparameters: PAPER_ADAM },
        },
        2,
      );
    }
    expected = await tfjsUpscaler(newer)(lr);
    older.dispose();
    newer.dispose();
  });
  afterAll(() => rm(runDir, { recursive: true }));

  it('runs the latest checkpoint of a run directory', async () => {
    const sr = await (await loadModelUpscaler(runDir, 2))(lr);
    expect([sr.width, sr.height]).toEqual([12, 10]);
    expect(sr.data).toEqual(expected.data);
  });

  it('runs a checkpoint directory named directly', async () => {
    expect((await (await loadModelUpscaler(checkpointDir, 2))(lr)).data).toEqual(expected.data);
  });

  it('refuses a checkpoint trained for another scale', async () => {
    await expect(loadModelUpscaler(runDir, 3)).rejects.toThrow(/x2 model, but --scale is 3/);
  });

  it('refuses a directory without checkpoints and a missing path', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'wdsr-eval-empty-'));
    await expect(loadModelUpscaler(empty, 2)).rejects.toThrow(UsageError);
    await rm(empty, { recursive: true });
    await expect(loadModelUpscaler(join(empty, 'gone'), 2)).rejects.toThrow(/neither bicubic, a \.onnx file/);
  });
});
