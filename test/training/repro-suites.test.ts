import { describe, expect, it } from 'vitest';
import { buildArch, countParameters } from '../../training/archs/index';
import type { ExperimentConfig } from '../../training/config/experiment';
import { validateExperimentConfig } from '../../training/config/validate';
import { deriveConfig, runName, withIterations } from '../../training/repro/experiment';
import { BASE_CONFIG_PATH, fig3Experiments, loadReproBase, table1Arch, table1Experiments, type Table1Network } from '../../training/repro/suites';

const base = await loadReproBase(BASE_CONFIG_PATH, undefined, { checkData: false });

/** Everything a suite must hold constant across its experiments. */
const shared = ({ data, train: { iterations, batchSize, lrHalvingSteps, backend, logEvery, validateEvery, checkpointEvery } }: ExperimentConfig) => ({
  data,
  iterations,
  batchSize,
  lrHalvingSteps,
  backend,
  logEvery,
  validateEvery,
  checkpointEvery,
});

describe('table1Experiments', () => {
  const experiments = table1Experiments(base);

  it('trains every network on the same data, iterations and schedule as the budget', () => {
    expect(experiments).toHaveLength(13);
    for (const { config } of experiments) expect(shared(config)).toEqual(shared(base));
    expect(new Set(experiments.map((e) => e.config.name)).size).toBe(experiments.length);
  });

  it('runs the 1-block row over three seeds and the rest over seed 1', () => {
    const seeds = (network: Table1Network, blocks: 1 | 3) =>
      experiments.filter((e) => e.network === network && e.blocks === blocks).map((e) => e.config.train.seed);
    for (const network of ['EDSR', 'WDSR-A', 'WDSR-B'] as const) {
      expect(seeds(network, 1)).toEqual([1, 2, 3]);
      expect(seeds(network, 3)).toEqual([1]);
    }
    expect(seeds('EDSR+WN', 1)).toEqual([1]);
  });

  it.each([
    ['EDSR', 1, 262_019, 1e-4],
    ['EDSR', 3, 409_731, 1e-4],
    ['WDSR-A', 1, 79_380, 1e-3],
    ['WDSR-A', 3, 227_476, 1e-3],
    ['WDSR-B', 1, 84_250, 1e-3],
    ['WDSR-B', 3, 233_318, 1e-3],
    ['EDSR+WN', 1, 262_534, 1e-3],
  ] as const)('%s with %i block(s) has %i parameters and trains at lr %f', (network, blocks, parameters, lr) => {
    const runs = experiments.filter((e) => e.network === network && e.blocks === blocks);
    expect(runs.length).toBeGreaterThan(0);
    for (const { config } of runs) {
      expect(countParameters(buildArch(config.arch))).toBe(parameters);
      expect(config.train.lr).toBe(lr);
      expect(config.arch).toEqual(table1Arch(network, blocks));
    }
  });

  it('finishes one whole seed-1 comparison before the extra seeds', () => {
    expect(experiments.slice(0, 6).map((e) => `${e.network}/${e.blocks}/${e.seed}`)).toEqual([
      'EDSR/1/1',
      'WDSR-A/1/1',
      'WDSR-B/1/1',
      'EDSR/3/1',
      'WDSR-A/3/1',
      'WDSR-B/3/1',
    ]);
  });
});

describe('fig3Experiments', () => {
  const experiments = fig3Experiments(base);

  it('trains one architecture that differs only in normalization, at the paper lr and at 1e-3', () => {
    expect(experiments.map((e) => [e.normalization, e.config.train.lr])).toEqual([
      ['weight', 1e-3],
      ['batch', 1e-4],
      ['none', 1e-4],
      ['batch', 1e-3],
      ['none', 1e-3],
    ]);
    for (const { config, normalization } of experiments) {
      expect(shared(config)).toEqual(shared(base));
      expect(config.train.seed).toBe(1);
      expect({ ...config.arch, normalization: 'weight' }).toEqual(experiments[0]!.config.arch);
      expect(config.arch.normalization).toBe(normalization);
    }
    expect(experiments[0]!.config.arch).toMatchObject({ arch: 'wdsr_b', nFeats: 24, nBlocks: 8 });
  });
});

describe('runName and deriveConfig', () => {
  it('names a run by everything that distinguishes it', () => {
    expect(runName(table1Arch('WDSR-B', 1), 1e-3, 2, 2000)).toBe('WDSR-B_x2_f64b1e6r0.8_wn_lr1e-3_s2_i2000');
    expect(runName(table1Arch('WDSR-A', 3), 1e-3, 1, 20)).toBe('WDSR-A_x2_f32b3w128_wn_lr1e-3_s1_i20');
    expect(runName(table1Arch('EDSR', 1), 1e-4, 1, 2000)).toBe('EDSR_x2_f64b1_nonorm_lr1e-4_s1_i2000');
    expect(runName({ ...table1Arch('EDSR', 1), resScale: 0.1 }, 1e-4, 1, 2000)).toBe('EDSR_x2_f64b1_rs0.1_nonorm_lr1e-4_s1_i2000');
  });

  it('uses the paper lr for the normalization unless told otherwise', () => {
    expect(deriveConfig(base, { arch: table1Arch('EDSR', 1), seed: 1, purpose: 'test' }).train.lr).toBe(1e-4);
    expect(deriveConfig(base, { arch: table1Arch('EDSR', 1), lr: 1e-3, seed: 1, purpose: 'test' }).train.lr).toBe(1e-3);
  });

  it("passes the base's gradient workers through, except to batch-norm runs", () => {
    const parallel = { ...base, train: { ...base.train, workers: 2 } };
    expect(deriveConfig(parallel, { arch: table1Arch('WDSR-B', 1), seed: 1, purpose: 'test' }).train.workers).toBe(2);
    expect(deriveConfig(parallel, { arch: { ...table1Arch('EDSR', 1), normalization: 'batch' }, seed: 1, purpose: 'test' }).train.workers).toBe(1);
  });
});

describe('withIterations', () => {
  it('scales the halvings and intervals with the iteration count', () => {
    expect(base.train).toMatchObject({ iterations: 1000, lrHalvingSteps: [500, 750], logEvery: 20, validateEvery: 100, checkpointEvery: 100 });
    expect(withIterations(base, 20).train).toMatchObject({ iterations: 20, lrHalvingSteps: [10, 15], logEvery: 1, validateEvery: 2, checkpointEvery: 2 });
    expect(withIterations(base, 1).train).toMatchObject({ iterations: 1, lrHalvingSteps: [1] });
  });

  it('scales a cosine decay with the run, never shorter than it', () => {
    const cosine = validateExperimentConfig(
      { ...base, train: { ...base.train, lrHalvingSteps: [], lrSchedule: { kind: 'cosine', iterations: 1500 } } },
      'cosine',
    );
    expect(withIterations(cosine, 20).train.lrSchedule).toEqual({ kind: 'cosine', iterations: 30 });
    expect(withIterations(cosine, 2000).train.lrSchedule).toEqual({ kind: 'cosine', iterations: 3000 });
    expect(withIterations(base, 20).train.lrSchedule).toBeUndefined();
  });

  it('renames every run of the suite, so a quick check never resumes into a full-budget run', () => {
    const quick = table1Experiments(withIterations(base, 20)).map((e) => e.config.name);
    expect(quick.every((name) => name.endsWith('_i20'))).toBe(true);
  });
});
