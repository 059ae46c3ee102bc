import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildArch } from '../../training/archs/index';
import { latestCheckpoint, loadCheckpoint } from '../../training/checkpoint/load';
import { trainingHooks } from '../../training/cli/training-hooks';
import { weightsFromOnnx } from '../../training/onnx/onnx-weights';
import { loadInitialization, loadStartingPoint } from '../../training/onnx/starting-point';
import type { ExperimentConfig } from '../../training/config/experiment';
import { REPO_ROOT } from '../../training/config/load';
import { ConfigError, validateExperimentConfig } from '../../training/config/validate';
import { exportModel } from '../../training/quant/export-model';
import { foldConv } from '../../training/onnx/fold';
import { writeManifestEntry } from '../../training/onnx/manifest';
import type { LogRecord } from '../../training/loop/run-log';
import { train, WARM_START_MOMENT_STEPS } from '../../training/loop/trainer';
import { smallWdsrB } from './helpers/arch';
import { writeImages } from './helpers/images';
import { pinFile, pinLatestCheckpoint } from './helpers/pin';
import { readLog, silent } from './helpers/training-runs';
import { seededWeights } from './helpers/weights';
import { maxAbs } from './helpers/parity';
import { TfjsModel } from '../../training/model/tfjs-model';

describe('weightsFromOnnx', () => {
  const arch = smallWdsrB();
  const graph = buildArch(arch);

  it('restores weights whose folded convs are the exported ones (weight norm unfolded as v = W, g = |W|)', async () => {
    const weights = seededWeights(graph, 11);
    const restored = weightsFromOnnx((await exportModel(arch, weights)).bytes, graph, 'test');
    expect([...restored.keys()].sort()).toEqual([...weights.keys()].sort());
    for (const node of graph.nodes) {
      if (node.op !== 'conv') continue;
      const [original, back] = [foldConv(node, weights), foldConv(node, restored)];
      expect(back.bias).toEqual(original.bias);
      const worst = original.weight.reduce((max, value, i) => Math.max(max, Math.abs(value - back.weight[i]!)), 0);
      expect(worst).toBeLessThan(1e-6);
    }
  });

  it('refuses an int8 model and a model of another architecture', async () => {
    const weights = seededWeights(graph, 12);
    const int8 = await exportModel(arch, weights, {
      samples: [{ data: Float32Array.from({ length: 3 * 8 * 8 }, (_, i) => (i % 7) / 7), dims: [1, 3, 8, 8] }],
      method: { kind: 'minmax' },
      floatConvs: [],
    });
    expect(() => weightsFromOnnx(int8.bytes, graph, 'int8.onnx')).toThrow(/int8 model: start from its fp32 reference/);
    const wider = buildArch({ ...arch, nFeats: 12 });
    const narrow = (await exportModel(arch, weights)).bytes;
    expect(() => weightsFromOnnx(narrow, wider, 'narrow.onnx')).toThrow(/narrow\.onnx: head\/W is type 1 \[8, 3, 3, 3\], expected float \[12, 3, 3, 3\]/);
  });
});

describe('a warm start pinned in the config (warmStart)', () => {
  let workDir: string;
  let config: ExperimentConfig;
  let sourceRun: string;

  beforeAll(async () => {
    ({ workDir, config, sourceRun } = await trainedSourceRun('warm-test'));
  });

  it('continues from an exported fp32 model at its iteration, validating the same PSNR it was trained to', async () => {
    const checkpoint = await loadCheckpoint((await latestCheckpoint(sourceRun))!);
    const modelDir = join(workDir, 'model');
    await mkdir(modelDir);
    const { bytes, entry } = await exportModel(config.arch, checkpoint.weights);
    const modelFile = join(modelDir, 'm-fp32.onnx');
    await writeFile(modelFile, bytes);
    await writeManifestEntry(
      modelDir,
      { ...entry, id: 'm-fp32', file: 'm-fp32.onnx', metrics: null, training: { run: config.name, checkpoint: '00000006', iterations: 6 } },
      'references',
    );

    const records: LogRecord[] = [];
    const warmStart = await pinFile(modelFile);
    const longer = { ...config, train: { ...config.train, iterations: 9 }, warmStart };
    const runDir = join(workDir, 'warm');
    const result = await train({ config: longer, runDir, resume: false, hooks: trainingHooks, console: silent, onRecord: (r) => records.push(r) });
    expect(result.iteration).toBe(9);
    expect(records[0]).toMatchObject({
      type: 'start',
      iteration: 6,
      warmStartFrom: { path: modelFile, sha256: warmStart.sha256, run: 'warm-test', checkpoint: '00000006', iterations: 6 },
      momentSteps: WARM_START_MOMENT_STEPS,
    });
    // The run folder names the file as the repository does: relative to its root, never absolutely.
    expect((await readLog(runDir))[0]).toMatchObject({ warmStartFrom: { path: relative(REPO_ROOT, modelFile), sha256: warmStart.sha256 } });
    expect(JSON.parse(await readFile(join(runDir, 'config.json'), 'utf8')).warmStart).toEqual({
      file: relative(REPO_ROOT, modelFile),
      sha256: warmStart.sha256,
    });
    // Adam's moments are re-estimated at learning rate 0 before the first iteration.
    expect((await loadCheckpoint((await latestCheckpoint(runDir))!)).optimizer.step).toBe(WARM_START_MOMENT_STEPS + 3);
    const sourceVal = (await readLog(sourceRun)).find((r) => r.type === 'val' && r.iteration === 6);
    const startVal = records.find((r) => r.type === 'val');
    expect(startVal).toMatchObject({ iteration: 6 });
    expect(sourceVal).toBeDefined();
    expect(Math.abs((startVal as { psnr: number }).psnr - (sourceVal as { psnr: number }).psnr)).toBeLessThan(1e-3);
  });

  it("starts from a checkpoint's weights.bin, leaving the weights untouched while it estimates the moments", async () => {
    const warmStart = await pinLatestCheckpoint(sourceRun);
    const start = await loadStartingPoint(warmStart, config.arch, 'warmStart');
    expect(start.origin).toEqual({ run: 'warm-test', checkpoint: '00000006', iterations: 6 });
    const runDir = join(workDir, 'moments-only');
    await train({ config: { ...config, warmStart }, runDir, resume: false, hooks: trainingHooks, console: silent });
    const after = await loadCheckpoint((await latestCheckpoint(runDir))!);
    expect(after.iteration).toBe(6);
    expect(after.optimizer.step).toBe(WARM_START_MOMENT_STEPS);
    for (const [name, { data }] of start.weights) expect(after.weights.get(name)!.data, name).toEqual(data);
  });

  it('expands a plain starting point for a re-parameterized run: the same function, and a step of training changes it', async () => {
    const reparamArch = { ...config.arch, reparam: { kind: 'collapsible', expansion: 4, convs: ['expand', 'reduce', 'spatial'] } } as const;
    const warmStart = await pinLatestCheckpoint(sourceRun);
    const plain = await loadStartingPoint(warmStart, config.arch, 'warmStart');
    const expanded = await loadStartingPoint(warmStart, reparamArch, 'warmStart');
    expect(expanded.origin).toEqual(plain.origin);
    const [plainModel, reparamModel] = [
      TfjsModel.fromWeights(buildArch(config.arch), plain.weights),
      TfjsModel.fromWeights(buildArch(reparamArch), expanded.weights), // exactly the re-parameterized variables, or this throws
    ];
    const x = tf.tensor4d(
      Float32Array.from({ length: 10 * 8 * 3 }, (_, i) => ((i * 37) % 101) / 101),
      [1, 10, 8, 3],
    );
    const [a, b] = [plainModel, reparamModel].map((m) => tf.tidy(() => m.forward(x, false).dataSync()));
    expect(maxAbs(a!, b!)).toBeLessThan(1e-4);
    x.dispose();
    for (const m of [plainModel, reparamModel]) m.dispose();
    const runDir = join(workDir, 'reparam-from-plain');
    const result = await train({
      config: { ...config, arch: reparamArch, train: { ...config.train, iterations: 8 }, warmStart },
      runDir,
      resume: false,
      hooks: trainingHooks,
      console: silent,
    });
    expect(result.iteration).toBe(8);
    const after = await loadCheckpoint((await latestCheckpoint(runDir))!);
    const spatial = 'body/0/spatial/linear1/v';
    expect(maxAbs(after.weights.get(spatial)!.data, expanded.weights.get(spatial)!.data)).toBeGreaterThan(0);
  });

  it('refuses a file whose SHA-256 is not the pinned one before the run folder is made, naming both hashes', async () => {
    const warmStart = await pinLatestCheckpoint(sourceRun);
    const wrong = { ...warmStart, sha256: '0'.repeat(64) };
    const runDir = join(workDir, 'wrong-hash');
    const error = await train({ config: { ...config, warmStart: wrong }, runDir, resume: false, hooks: trainingHooks, console: silent }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `warmStart: ${wrong.file} has SHA-256 ${warmStart.sha256}, but the config pins ${wrong.sha256}: refusing other bytes than the config names (pin the new hash if the file was meant to change)`,
    );
    await expect(stat(runDir)).rejects.toThrow(/ENOENT/);
    await expect(loadStartingPoint({ ...warmStart, file: join(workDir, 'absent.onnx') }, config.arch, 'warmStart')).rejects.toThrow(
      /^warmStart: cannot read .*absent\.onnx/,
    );
  });

  it('resumes without reading the warm start again: the run continues from its own checkpoint', async () => {
    const copy = join(workDir, 'copy', '00000006');
    await cp((await latestCheckpoint(sourceRun))!, copy, { recursive: true });
    const warmStart = await pinFile(join(copy, 'weights.bin'));
    const runDir = join(workDir, 'resumed');
    await train({ config: { ...config, train: { ...config.train, iterations: 7 }, warmStart }, runDir, resume: false, hooks: trainingHooks, console: silent });
    await rm(copy, { recursive: true });
    const records: LogRecord[] = [];
    const longer = { ...config, train: { ...config.train, iterations: 8 }, warmStart };
    const result = await train({ config: longer, runDir, resume: true, hooks: trainingHooks, console: silent, onRecord: (r) => records.push(r) });
    expect(result.iteration).toBe(8);
    expect(records[0]).toMatchObject({ type: 'start', iteration: 7, changed: ['train.iterations'] });
    expect(records[0]).not.toHaveProperty('warmStartFrom');
  });

  it('refuses a model with no manifest entry and weights of another architecture', async () => {
    const start = await loadStartingPoint(await pinLatestCheckpoint(sourceRun), config.arch, 'warmStart');
    const stray = join(workDir, 'stray.onnx');
    await writeFile(stray, (await exportModel(config.arch, start.weights)).bytes);
    await expect(loadStartingPoint(await pinFile(stray), config.arch, 'warmStart')).rejects.toThrow(/no entry in .*manifest\.json has its sha256/);
    await expect(loadStartingPoint(await pinLatestCheckpoint(sourceRun), { ...config.arch, nBlocks: 2 }, 'warmStart')).rejects.toThrow(
      /holds a .* network, not this config's/,
    );
  });
});

describe('initFrom: a new run of another scale from trained weights', () => {
  let workDir: string;
  let source: ExperimentConfig;
  let sourceRun: string;

  beforeAll(async () => {
    ({ workDir, config: source, sourceRun } = await trainedSourceRun('init-source'));
  });

  it('takes every tensor of the same name and shape, and seeds the scale-specific tail and skip', async () => {
    const pin = await pinLatestCheckpoint(sourceRun);
    const trained = await loadStartingPoint(pin, source.arch, 'warmStart');
    const x3 = { ...source.arch, scale: 3 } as const;
    const seeded = seededWeights(buildArch(x3), 9);
    const { weights, origin, fresh } = await loadInitialization(pin, x3, seeded);
    expect(origin).toEqual({ run: 'init-source', checkpoint: '00000006', iterations: 6 });
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((name) => /^(tail|skip)\//.test(name))).toBe(true);
    for (const [name, tensor] of weights) {
      const expected = fresh.includes(name) ? seeded.get(name)! : trained.weights.get(name)!;
      expect(tensor.shape, name).toEqual(seeded.get(name)!.shape);
      expect(tensor.data, name).toEqual(expected.data);
    }
    // At the same scale nothing is seeded: the whole network carries over.
    expect((await loadInitialization(pin, source.arch, seededWeights(buildArch(source.arch), 9))).fresh).toEqual([]);
    await expect(loadInitialization(pin, { ...x3, nFeats: 8 }, seededWeights(buildArch({ ...x3, nFeats: 8 }), 9))).rejects.toThrow(/only its scale may differ/);
    await expect(loadInitialization({ ...pin, sha256: 'f'.repeat(64) }, x3, seeded)).rejects.toThrow(
      /^initFrom: .* has SHA-256 [0-9a-f]{64}, but the config pins f{64}/,
    );
  });

  it('starts the run at iteration 0 from them, logs where they came from, and leaves a resumed run alone', async () => {
    const initFrom = await pinLatestCheckpoint(sourceRun);
    const x3: ExperimentConfig = {
      ...source,
      name: 'init-x3',
      arch: { ...source.arch, scale: 3 },
      data: { ...source.data, hrPatchSize: 18 },
      initFrom,
    };
    const records: LogRecord[] = [];
    const runDir = join(workDir, 'x3');
    await train({
      config: { ...x3, train: { ...x3.train, iterations: 2, checkpointEvery: 2 } },
      runDir,
      resume: false,
      hooks: trainingHooks,
      console: silent,
      onRecord: (r) => records.push(r),
    });
    expect(records[0]).toMatchObject({
      type: 'start',
      iteration: 0,
      initFrom: { path: initFrom.file, sha256: initFrom.sha256, run: 'init-source', checkpoint: '00000006', iterations: 6 },
    });
    const fresh = (records[0] as { initFrom: { fresh: string[] } }).initFrom.fresh;
    expect(new Set(fresh.map((name) => name.split('/')[0]))).toEqual(new Set(['tail', 'skip']));
    expect((await loadCheckpoint((await latestCheckpoint(runDir))!)).optimizer.step).toBe(2);

    const resumed: LogRecord[] = [];
    await train({
      config: { ...x3, train: { ...x3.train, iterations: 3, checkpointEvery: 1 } },
      runDir,
      resume: true,
      hooks: trainingHooks,
      console: silent,
      onRecord: (r) => resumed.push(r),
    });
    expect(resumed[0]).toMatchObject({ type: 'start', iteration: 2 });
    expect(resumed[0]).not.toHaveProperty('initFrom');
  });
});

/** A tiny x2 run named `name`, trained for 6 iterations on generated images in a new temporary directory. */
async function trainedSourceRun(name: string): Promise<{ workDir: string; config: ExperimentConfig; sourceRun: string }> {
  const workDir = await mkdtemp(join(tmpdir(), 'wdsr-start-'));
  await writeImages(join(workDir, 'train'), 3, 40, 1);
  await writeImages(join(workDir, 'val'), 2, 24, 2);
  const config = validateExperimentConfig(
    {
      name,
      arch: { arch: 'wdsr_b', scale: 2, nFeats: 6, nBlocks: 1, expansion: 4, lowRank: 0.8, resScale: 1, normalization: 'weight' },
      data: { train: [join(workDir, 'train')], val: join(workDir, 'val'), hrPatchSize: 16 },
      train: { iterations: 6, batchSize: 2, lrHalvingSteps: [], seed: 5, logEvery: 1, validateEvery: 6, checkpointEvery: 6, keepCheckpoints: 1 },
    },
    'inline',
  );
  const sourceRun = join(workDir, 'source');
  await train({ config, runDir: sourceRun, resume: false, hooks: trainingHooks, console: silent });
  return { workDir, config, sourceRun };
}
