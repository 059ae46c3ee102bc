import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildArch, withoutReparam } from '../../training/archs/index';
import { latestCheckpoint, loadCheckpoint } from '../../training/checkpoint/load';
import { trainingHooks } from '../../training/cli/training-hooks';
import { loadStartingPoint } from '../../training/onnx/starting-point';
import type { ExperimentConfig } from '../../training/config/experiment';
import { validateExperimentConfig } from '../../training/config/validate';
import { exportCheckpoint } from '../../training/quant/export-model';
import type { LogRecord } from '../../training/loop/run-log';
import { train } from '../../training/loop/trainer';
import { TfjsModel } from '../../training/model/tfjs-model';
import { collapseReparam } from '../../training/onnx/reparam-collapse';
import { writeImages } from './helpers/images';
import { runOnnx } from './helpers/onnx-run';
import { maxAbs, tfjsForward } from './helpers/parity';
import { pinLatestCheckpoint } from './helpers/pin';
import { finalWeights, silent, trainInterrupted } from './helpers/training-runs';
import { syntheticImage } from './helpers/weights';

describe('training a re-parameterized WDSR-B', () => {
  let workDir: string;
  let config: ExperimentConfig;
  const records: LogRecord[] = [];

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'wdsr-reparam-'));
    await writeImages(join(workDir, 'train'), 3, 40, 7);
    config = validateExperimentConfig(
      {
        name: 'reparam-test',
        arch: {
          arch: 'wdsr_b',
          scale: 2,
          nFeats: 6,
          nBlocks: 1,
          expansion: 4,
          lowRank: 0.8,
          resScale: 1,
          normalization: 'weight',
          reparam: { kind: 'collapsible', expansion: 4, convs: ['expand', 'reduce', 'spatial'] },
        },
        data: { train: [join(workDir, 'train')], val: join(workDir, 'train'), hrPatchSize: 16 },
        train: {
          iterations: 2,
          batchSize: 2,
          lr: 1e-3,
          lrHalvingSteps: [],
          seed: 5,
          backend: 'wasm',
          workers: 2,
          logEvery: 1,
          validateEvery: 0,
          checkpointEvery: 1,
          keepCheckpoints: 3,
        },
      },
      'inline',
    );
  });

  it('trains 2 iterations (2 gradient threads), and an interrupted run resumes to the same weights', async () => {
    const straight = join(workDir, 'straight');
    expect(await train({ config, runDir: straight, resume: false, hooks: trainingHooks, console: silent, onRecord: (r) => records.push(r) })).toMatchObject({
      iteration: 2,
      interrupted: false,
    });
    const losses = records.flatMap((r) => (r.type === 'train' ? [r.loss] : []));
    expect(losses).toHaveLength(2);
    expect(losses.every(Number.isFinite)).toBe(true);

    const interrupted = join(workDir, 'interrupted');
    expect((await trainInterrupted(config, interrupted, 1)).resumed).toMatchObject({ iteration: 2 });

    const a = await finalWeights(straight);
    expect([...a.keys()]).toContain('body/0/spatial/linear0/v');
    expect([...a.keys()]).not.toContain('body/0/spatial/v');
    expect(await finalWeights(interrupted)).toEqual(a);
    // Every block weight moved: gradients reach both convs of each block.
    const initial = TfjsModel.create(buildArch(config.arch), config.train.seed);
    const start = initial.namedWeights();
    initial.dispose();
    for (const name of ['body/0/spatial/linear0/v', 'body/0/spatial/linear1/v', 'body/0/expand/linear0/g', 'body/0/reduce/linear1/bias']) {
      expect(a.get(name)!).not.toEqual(start.get(name)!.data);
    }
  });

  it('exports the checkpoint as the plain network, equal to the training graph within 1e-4', async () => {
    const runDir = join(workDir, 'straight');
    const { checkpoint, bytes, entry } = await exportCheckpoint(runDir, undefined);
    expect(entry.arch).toEqual(withoutReparam(config.arch));
    const model = TfjsModel.fromWeights(buildArch(config.arch), checkpoint.weights);
    const [h, w] = [11, 9];
    const nchw = syntheticImage(h, w, 2);
    const expected = tfjsForward(model, nchw, h, w);
    model.dispose();
    const actual = (await runOnnx(bytes, nchw, h, w)).data as Float32Array;
    expect(actual).toHaveLength(expected.length);
    expect(maxAbs(actual, expected)).toBeLessThan(1e-4);
  });

  it('starts a plain run from the checkpoint, collapsed (warm start, initFrom, quantization.from)', async () => {
    const runDir = join(workDir, 'straight');
    const plainArch = withoutReparam(config.arch);
    const { weights } = await loadStartingPoint(await pinLatestCheckpoint(runDir), plainArch, 'warmStart');
    const checkpoint = await loadCheckpoint((await latestCheckpoint(runDir))!);
    expect(weights).toEqual(collapseReparam(config.arch, checkpoint.weights).weights);
    expect(() => TfjsModel.fromWeights(buildArch(plainArch), weights).dispose()).not.toThrow();
  });
});
