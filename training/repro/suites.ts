import type { ArchConfig, WdsrBConfig } from '../archs/config';
import type { Normalization } from '../archs/graph';
import type { ExperimentConfig } from '../config/experiment';
import { DATASETS_FOLDER, loadExperimentConfig, resolveRepoPath } from '../config/load';
import { deriveConfig, withIterations, type ReproExperiment } from './experiment';

/** The shared budget of every reproduction run (data, patch, batch, iterations, schedule). */
export const BASE_CONFIG_PATH = 'training/configs/repro/base.json';

/** EDSR+WN is our control, not in the paper: EDSR with the WDSR runs' weight norm and lr, to separate width from learning rate. */
export type Table1Network = 'EDSR' | 'WDSR-A' | 'WDSR-B' | 'EDSR+WN';

export interface Table1Experiment extends ReproExperiment {
  readonly network: Table1Network;
  readonly blocks: 1 | 3;
  readonly seed: number;
}

export interface Fig3Experiment extends ReproExperiment {
  readonly normalization: Normalization;
  readonly lr: number;
}

export const SUITE_NAMES = ['table1', 'fig3', 'ablation'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

/** The suites of the paper reproduction (docs/reproduction.md), which `all` trains; the ablation (training/repro/ablation.ts) has a report of its own. */
export const PAPER_SUITES = ['table1', 'fig3'] as const satisfies readonly SuiteName[];
export type PaperSuite = (typeof PAPER_SUITES)[number];

/** Seeds of the 1-block row, so its differences can be compared with the seed-to-seed noise. */
export const TABLE1_SEEDS = [1, 2, 3] as const;

/**
 * Table 1's networks at the paper's fixed widths (Section 4.1): EDSR with 64 channels and no
 * normalization, WDSR-A with a 32-channel identity path widened to 128 before the ReLU,
 * WDSR-B with a 64-channel identity path, 6x expansion and 0.8 low rank, both weight-normalized.
 */
export function table1Arch(network: Table1Network, blocks: 1 | 3): ArchConfig {
  const common = { scale: 2, nBlocks: blocks, resScale: 1 } as const;
  switch (network) {
    case 'EDSR':
      return { arch: 'edsr', ...common, nFeats: 64, normalization: 'none' };
    case 'EDSR+WN':
      return { arch: 'edsr', ...common, nFeats: 64, normalization: 'weight' };
    case 'WDSR-A':
      return { arch: 'wdsr_a', ...common, nFeats: 32, blockFeats: 128, normalization: 'weight' };
    case 'WDSR-B':
      return { arch: 'wdsr_b', ...common, nFeats: 64, expansion: 6, lowRank: 0.8, normalization: 'weight' };
  }
}

/**
 * Table 1 at small scale: the three networks with 1 and 3 blocks, the 1-block row over
 * every seed in `TABLE1_SEEDS`, plus the EDSR+WN control (1 block, seed 1). Learning rates
 * are the paper's: 1e-3 with weight norm, 1e-4 without. Ordered so that one complete
 * comparison (seed 1) finishes first.
 */
export function table1Experiments(base: ExperimentConfig): Table1Experiment[] {
  const cells: [Table1Network, 1 | 3, number][] = [
    ...(['EDSR', 'WDSR-A', 'WDSR-B'] as const).map((n): [Table1Network, 1 | 3, number] => [n, 1, 1]),
    ...(['EDSR', 'WDSR-A', 'WDSR-B'] as const).map((n): [Table1Network, 1 | 3, number] => [n, 3, 1]),
    ...TABLE1_SEEDS.slice(1).flatMap((seed) => (['EDSR', 'WDSR-A', 'WDSR-B'] as const).map((n): [Table1Network, 1 | 3, number] => [n, 1, seed])),
    ['EDSR+WN', 1, 1],
  ];
  return cells.map(([network, blocks, seed]) => ({
    network,
    blocks,
    seed,
    label: `${network}, ${blocks} block${blocks === 1 ? '' : 's'}, seed ${seed}`,
    config: deriveConfig(base, {
      arch: table1Arch(network, blocks),
      seed,
      purpose: `Reproduction of Table 1: ${network}, ${blocks} residual block(s), seed ${seed}`,
    }),
  }));
}

/**
 * The Figure 3 model: the WDSR-B this project ships (24-channel identity path, 8 blocks, 6x
 * expansion, 0.8 low rank). Eight blocks make it the deepest network of the suite, and depth
 * is where the paper says normalization matters.
 */
function fig3Arch(normalization: Normalization): WdsrBConfig {
  return { arch: 'wdsr_b', scale: 2, nFeats: 24, nBlocks: 8, expansion: 6, lowRank: 0.8, resScale: 1, normalization };
}

/**
 * Figure 3 at small scale: one model trained with weight norm at its paper lr (1e-3), batch
 * norm and no normalization at theirs (1e-4), and both of those again at 1e-3 to see whether
 * they diverge there (the paper calls 1e-4 their maximum convergent rate). Seed 1 throughout.
 */
export function fig3Experiments(base: ExperimentConfig): Fig3Experiment[] {
  const runs: [Normalization, number][] = [
    ['weight', 1e-3],
    ['batch', 1e-4],
    ['none', 1e-4],
    ['batch', 1e-3],
    ['none', 1e-3],
  ];
  const names: Record<Normalization, string> = { weight: 'weight norm', batch: 'batch norm', none: 'no normalization' };
  return runs.map(([normalization, lr]) => ({
    normalization,
    lr,
    label: `${names[normalization]}, lr ${lr.toExponential()}`,
    config: deriveConfig(base, {
      arch: fig3Arch(normalization),
      lr,
      seed: 1,
      purpose: `Reproduction of Figure 3: ${names[normalization]}, lr ${lr.toExponential()}`,
    }),
  }));
}

/** The experiments of a paper suite, in the order the runner trains them. */
export function suiteExperiments(suite: PaperSuite, base: ExperimentConfig): ReproExperiment[] {
  return suite === 'table1' ? table1Experiments(base) : fig3Experiments(base);
}

/**
 * The budget config (data directories checked), optionally over fewer or more iterations.
 *
 * @example
 * const base = await loadReproBase(BASE_CONFIG_PATH, 20); // a quick end-to-end check
 */
export async function loadReproBase(path: string, iterations?: number, options: { readonly checkData?: boolean } = {}): Promise<ExperimentConfig> {
  const base = await loadExperimentConfig(resolveRepoPath(path), options);
  return iterations === undefined ? base : withIterations(base, iterations);
}

/** The folders final checkpoints are scored on: the runs' validation set, and B100 for a larger sample of natural images. */
export const REPORT_EVAL_DIRS = [`${DATASETS_FOLDER}/Set5/HR`, `${DATASETS_FOLDER}/B100/HR`] as const;
