import type { ArchConfig } from '../archs/config';
import type { Normalization } from '../archs/graph';
import { paperLearningRate, type ExperimentConfig } from '../config/experiment';
import { validateExperimentConfig } from '../config/validate';

/** One run of a reproduction suite: its full config and how the report should call it. */
export interface ReproExperiment {
  readonly config: ExperimentConfig;
  /** Short human label for tables and legends, e.g. "WDSR-B, 1 block, seed 2". */
  readonly label: string;
}

export interface ExperimentVariant {
  readonly arch: ArchConfig;
  /** Defaults to the paper's for the normalization: 1e-3 with weight norm, 1e-4 without. */
  readonly lr?: number;
  readonly seed: number;
  /** What the run is for, copied into its config's description. */
  readonly purpose: string;
}

const NORMALIZATION_TAG: Record<Normalization, string> = { weight: 'wn', batch: 'bn', none: 'nonorm' };

/**
 * `base` with only the architecture, learning rate and seed replaced, so data, patch,
 * batch, iterations and schedule are identical across a suite by construction (the
 * base's gradient workers too, except that batch-norm runs train with one). The result
 * is validated like any config file.
 *
 * @example
 * deriveConfig(base, { arch: edsr, seed: 2, purpose: 'Table 1' }).name; // 'EDSR_x2_f64b1_nonorm_lr1e-4_s2_i1000'
 */
export function deriveConfig(base: ExperimentConfig, variant: ExperimentVariant): ExperimentConfig {
  const lr = variant.lr ?? paperLearningRate(variant.arch.normalization);
  // Batch norm needs the whole batch's statistics in one thread (see train.workers): those runs keep to one worker.
  const workers = variant.arch.normalization === 'batch' ? 1 : base.train.workers;
  const train = { ...base.train, lr, seed: variant.seed, workers };
  const name = runName(variant.arch, lr, variant.seed, base.train.iterations);
  const description = `${variant.purpose}; budget of ${base.name} (only arch, lr and seed differ from it)`;
  return validateExperimentConfig({ ...base, name, description, arch: variant.arch, train }, name);
}

/**
 * `WDSR-B_x2_f64b1e6r0.8_wn_lr1e-3_s1_i2000`: network, scale, widths, depth, residual scale
 * (when not 1), normalization, lr, seed, iterations; every field the suites vary, so two
 * different experiments never share a run directory.
 */
export function runName(arch: ArchConfig, lr: number, seed: number, iterations: number): string {
  const shape = `f${arch.nFeats}b${arch.nBlocks}`;
  const width = arch.arch === 'wdsr_a' ? `w${arch.blockFeats}` : arch.arch === 'wdsr_b' ? `e${arch.expansion}r${arch.lowRank}` : '';
  const resScale = arch.resScale === 1 ? [] : [`rs${arch.resScale}`];
  return [
    networkName(arch),
    `x${arch.scale}`,
    `${shape}${width}`,
    ...resScale,
    NORMALIZATION_TAG[arch.normalization],
    `lr${lr.toExponential()}`,
    `s${seed}`,
    `i${iterations}`,
  ].join('_');
}

/** The paper's name for an architecture family. */
function networkName(arch: ArchConfig): 'EDSR' | 'WDSR-A' | 'WDSR-B' {
  return arch.arch === 'edsr' ? 'EDSR' : arch.arch === 'wdsr_a' ? 'WDSR-A' : 'WDSR-B';
}

/**
 * The same budget over `iterations`: halvings, a cosine decay's length, logging, validation
 * and checkpoint intervals scaled in proportion (at least 1), for a quick end-to-end check of
 * a suite, or another budget.
 *
 * @example
 * withIterations(base, 20).train.lrHalvingSteps; // [10, 15] for a 2,000-iteration base halving at 1,000 and 1,500
 */
export function withIterations(base: ExperimentConfig, iterations: number): ExperimentConfig {
  const ratio = iterations / base.train.iterations;
  const scaled = (value: number) => Math.max(1, Math.round(value * ratio));
  const t = base.train;
  const train = {
    ...t,
    iterations,
    lrHalvingSteps: [...new Set(t.lrHalvingSteps.map(scaled))].filter((step) => step <= iterations),
    ...(t.lrSchedule === undefined ? {} : { lrSchedule: { ...t.lrSchedule, iterations: Math.max(iterations, scaled(t.lrSchedule.iterations)) } }),
    logEvery: scaled(t.logEvery),
    validateEvery: t.validateEvery === 0 ? 0 : scaled(t.validateEvery),
    checkpointEvery: scaled(t.checkpointEvery),
  };
  return validateExperimentConfig({ ...base, train }, `${base.name} over ${iterations} iterations`);
}
