import type { WdsrBConfig } from '../archs/config';
import { buildArch } from '../archs/index';
import type { BackendName } from '../backend/init';
import { resolveRepoPath } from '../config/load';
import { Rng } from '../data/rng';
import { PairedPatchSampler } from '../data/sampler';
import { TfjsModel } from '../model/tfjs-model';
import { Adam } from './adam';
import { trainingFlopsPerIteration } from './flops';
import { profileTrainingStep, type StepProfile } from './profile';
import { trainStep, type StepTimings } from './train-step';

/** The benchmark network: WDSR-B x2, 32 features, 8 blocks, weight norm (the production config's). */
export const BENCHMARK_ARCH: WdsrBConfig = {
  arch: 'wdsr_b', scale: 2, nFeats: 32, nBlocks: 8, expansion: 6, lowRank: 0.8, resScale: 1, normalization: 'weight',
};

export interface BenchmarkOptions {
  readonly iterations: number;
  readonly warmup: number;
  readonly batchSize: number;
  readonly lrPatchSize: number;
  readonly trainDirs: readonly string[];
  /** Also profile one step kernel by kernel (after the timed iterations, so it cannot skew them). */
  readonly profile: boolean;
}

export const DEFAULT_BENCHMARK: BenchmarkOptions = {
  iterations: 10, warmup: 2, batchSize: 16, lrPatchSize: 48, trainDirs: ['../shared/datasets/T91/HR'], profile: false,
};

export interface BenchmarkResult {
  readonly iterationsPerSecond: number;
  /** Mean wall time per timed iteration, by phase. */
  readonly meanMs: { readonly data: number; readonly forward: number; readonly backward: number; readonly optimizer: number; readonly iteration: number };
  /**
   * CPU time (user + system) per timed iteration. On a shared machine wall time depends on
   * the neighbours; CPU time is what one iteration costs, so 1000 / cpuMsPerIteration is
   * the rate on an idle core (the wasm backend runs single-threaded in Node).
   */
  readonly cpuMsPerIteration: number;
  readonly gflopPerIteration: number;
  readonly profile?: StepProfile;
}

/**
 * Times real training iterations (batch sampling included) of `BENCHMARK_ARCH` on the
 * active backend after `warmup` untimed ones, which absorb one-off costs (kernel setup,
 * XNNPACK operator creation, heap growth).
 */
export async function benchmarkTraining(backend: BackendName, options: BenchmarkOptions): Promise<BenchmarkResult> {
  const graph = buildArch(BENCHMARK_ARCH);
  const sampler = await PairedPatchSampler.fromDirectories(options.trainDirs.map(resolveRepoPath), {
    scale: BENCHMARK_ARCH.scale,
    hrPatchSize: options.lrPatchSize * BENCHMARK_ARCH.scale,
  });
  const model = TfjsModel.create(graph, 1);
  const adam = new Adam(model.trainableNames, model.trainableVariables);
  const rng = new Rng(1);
  const totals = { data: 0, forward: 0, backward: 0, optimizer: 0 };
  try {
    const timings: StepTimings = { forwardMs: 0, backwardMs: 0, optimizerMs: 0 };
    let timedStart = 0;
    let cpuStart = process.cpuUsage();
    for (let i = 0; i < options.warmup + options.iterations; i++) {
      if (i === options.warmup) {
        timedStart = performance.now();
        cpuStart = process.cpuUsage();
      }
      const dataStart = performance.now();
      const batch = sampler.nextBatch(options.batchSize, rng);
      const dataMs = performance.now() - dataStart;
      trainStep(model, adam, batch, 1e-3, timings);
      if (i < options.warmup) continue;
      totals.data += dataMs;
      totals.forward += timings.forwardMs;
      totals.backward += timings.backwardMs;
      totals.optimizer += timings.optimizerMs;
    }
    const elapsedMs = performance.now() - timedStart;
    const cpu = process.cpuUsage(cpuStart);
    const n = options.iterations;
    const profile = options.profile ? await profileTrainingStep(model, adam, sampler.nextBatch(options.batchSize, rng), 1e-3) : undefined;
    return {
      iterationsPerSecond: (1000 * n) / elapsedMs,
      meanMs: { data: totals.data / n, forward: totals.forward / n, backward: totals.backward / n, optimizer: totals.optimizer / n, iteration: elapsedMs / n },
      cpuMsPerIteration: (cpu.user + cpu.system) / 1000 / n,
      gflopPerIteration: trainingFlopsPerIteration(graph, options.batchSize, options.lrPatchSize) / 1e9,
      ...(profile === undefined ? {} : { profile }),
    };
  } finally {
    adam.dispose();
    model.dispose();
  }
}
