import type { ArchConfig, WdsrBConfig } from '../archs/config';
import { buildArch } from '../archs/index';
import type { BackendName } from '../backend/init';
import type { DistillConfig, ExperimentConfig } from '../config/experiment';
import { DATASETS_FOLDER } from '../config/load';
import { validateExperimentConfig } from '../config/validate';
import { openSession, type SessionHooks } from '../loop/session';
import type { StepTimings } from '../loop/train-step';
import { trainingFlopsPerIteration } from './training-flops';
import { profileTrainingStep, type StepProfile } from './training-profile';

/** The benchmark network: WDSR-B x2, 32 features, 8 blocks, weight norm (the production config's). */
const BENCHMARK_ARCH: WdsrBConfig = {
  arch: 'wdsr_b',
  scale: 2,
  nFeats: 32,
  nBlocks: 8,
  expansion: 6,
  lowRank: 0.8,
  resScale: 1,
  normalization: 'weight',
};

export interface BenchmarkOptions {
  /** The network trained: `BENCHMARK_ARCH` by default, or an experiment config's (`--config`), re-parameterized or not. */
  readonly arch: ArchConfig;
  /** A distillation teacher run on every batch, as in training; absent: none. */
  readonly distill?: DistillConfig;
  readonly iterations: number;
  readonly warmup: number;
  readonly batchSize: number;
  readonly lrPatchSize: number;
  readonly trainDirs: readonly string[];
  /** Threads computing each step's gradients (`train.workers`). */
  readonly workers: number;
  /** Also profile one step kernel by kernel (after the timed iterations, so it cannot skew them). */
  readonly profile: boolean;
}

export const DEFAULT_BENCHMARK: BenchmarkOptions = {
  arch: BENCHMARK_ARCH,
  iterations: 10,
  warmup: 2,
  batchSize: 16,
  lrPatchSize: 48,
  trainDirs: [`${DATASETS_FOLDER}/T91/HR`],
  workers: 2,
  profile: false,
};

export interface BenchmarkResult {
  readonly iterationsPerSecond: number;
  /** Mean wall time per timed iteration, by phase. */
  readonly meanMs: {
    readonly data: number;
    readonly forward: number;
    readonly backward: number;
    readonly wait: number;
    readonly optimizer: number;
    readonly iteration: number;
  };
  /**
   * CPU time (user + system, every thread of the process) per timed iteration. On a shared
   * machine wall time depends on the neighbours; CPU time is what one iteration costs, so
   * 1000 / cpuMsPerIteration is the rate on one idle core, and workers / cpuMsPerIteration
   * the ceiling with that many idle cores (the wasm backend runs one thread per worker).
   */
  readonly cpuMsPerIteration: number;
  readonly gflopPerIteration: number;
  readonly profile?: StepProfile;
}

/** The experiment the benchmark trains: `options.arch` on `options`, through the same session as `npm run train`. */
export function benchmarkConfig(backend: BackendName, options: BenchmarkOptions): ExperimentConfig {
  return validateExperimentConfig(
    {
      name: 'benchmark',
      arch: options.arch,
      ...(options.distill === undefined ? {} : { distill: options.distill }),
      data: { train: options.trainDirs, val: options.trainDirs[0], hrPatchSize: options.lrPatchSize * options.arch.scale },
      train: {
        iterations: options.warmup + options.iterations,
        batchSize: options.batchSize,
        lrHalvingSteps: [],
        seed: 1,
        backend,
        workers: options.workers,
        logEvery: 1,
        validateEvery: 0,
        checkpointEvery: options.warmup + options.iterations,
        keepCheckpoints: 1,
      },
    },
    'benchmark options',
  );
}

/**
 * Times real training iterations (batch sampling included; the teacher's forward pass too, when
 * distilling) of `options.arch` (`BENCHMARK_ARCH` by default) on the
 * active backend, with `options.workers` threads, after `warmup` untimed ones, which
 * absorb one-off costs (kernel setup, XNNPACK operator creation, heap growth). The teacher
 * comes through `hooks`, as in training.
 */
export async function benchmarkTraining(backend: BackendName, options: BenchmarkOptions, hooks: SessionHooks): Promise<BenchmarkResult> {
  const config = benchmarkConfig(backend, options);
  const session = await openSession(config, hooks);
  const totals = { data: 0, forward: 0, backward: 0, wait: 0, optimizer: 0 };
  try {
    const timings: StepTimings = { forwardMs: 0, backwardMs: 0, waitMs: 0, optimizerMs: 0 };
    let timedStart = 0;
    let cpuStart = process.cpuUsage();
    for (let i = 0; i < options.warmup + options.iterations; i++) {
      if (i === options.warmup) {
        timedStart = performance.now();
        cpuStart = process.cpuUsage();
      }
      const dataStart = performance.now();
      const batch = session.sampler.nextBatch(options.batchSize, session.rng);
      const dataMs = performance.now() - dataStart;
      await session.step(batch, config.train.lr, timings);
      if (i < options.warmup) continue;
      totals.data += dataMs;
      totals.forward += timings.forwardMs;
      totals.backward += timings.backwardMs;
      totals.wait += timings.waitMs;
      totals.optimizer += timings.optimizerMs;
    }
    const elapsedMs = performance.now() - timedStart;
    const cpu = process.cpuUsage(cpuStart);
    const n = options.iterations;
    const profile = options.profile
      ? await profileTrainingStep(session.model, session.optimizer, session.sampler.nextBatch(options.batchSize, session.rng), config.train.lr)
      : undefined;
    return {
      iterationsPerSecond: (1000 * n) / elapsedMs,
      meanMs: {
        data: totals.data / n,
        forward: totals.forward / n,
        backward: totals.backward / n,
        wait: totals.wait / n,
        optimizer: totals.optimizer / n,
        iteration: elapsedMs / n,
      },
      cpuMsPerIteration: (cpu.user + cpu.system) / 1000 / n,
      gflopPerIteration: trainingFlopsPerIteration(buildArch(options.arch), options.batchSize, options.lrPatchSize) / 1e9,
      ...(profile === undefined ? {} : { profile }),
    };
  } finally {
    await session.close();
  }
}
