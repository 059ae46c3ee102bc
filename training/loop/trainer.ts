import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { initBackend } from '../backend/init';
import type { Checkpoint } from '../checkpoint/format';
import { latestCheckpoint, loadCheckpoint } from '../checkpoint/load';
import type { Initialization } from '../checkpoint/origin';
import { saveCheckpoint } from '../checkpoint/save';
import { learningRateAt, type ExperimentConfig, type PinnedFile } from '../config/experiment';
import type { TrainingHooks } from './hooks';
import { formatProgress, ProgressLine } from './progress';
import { openRunDirectory, RUN_LOG_FILE } from './run-dir';
import { RunLog, type LogRecord } from './run-log';
import { openSession, openTeacher, seededWeights, type SessionStart, type TrainingSession } from './session';
import { Throughput } from './throughput';
import { validate } from './validation';

export interface TrainOptions {
  readonly config: ExperimentConfig;
  readonly runDir: string;
  /** Warm starts, `initFrom`, a quantization-aware start and the teacher come through these. */
  readonly hooks: TrainingHooks;
  /**
   * Continue from the run directory's newest checkpoint (required when the directory holds a run);
   * the config's starting weights (`warmStart`, `initFrom`, `quantization.from`) are then not read.
   */
  readonly resume: boolean;
  /** Aborting stops training after the current iteration, with a checkpoint (the CLI wires SIGINT/SIGTERM here). */
  readonly signal?: AbortSignal;
  /** Console output; stderr by default. */
  readonly console?: ProgressLine;
  /** Sees every log record as it is written (progress UIs, tests). */
  readonly onRecord?: (record: LogRecord) => void;
}

/**
 * Steps at learning rate 0 before a warm start's (`config.warmStart`) first iteration: Adam's moments are gone with
 * the checkpoint, and without estimates of them its first updates are full `lr`-sized steps in
 * every weight (measured: Set5 fell from 36.74 to 36.71 dB over the first 431 iterations). 100
 * batches give the second moment (beta2 0.999, bias-corrected) a fair estimate for 100 steps' compute.
 */
export const WARM_START_MOMENT_STEPS = 100;

/** Training stopped because the loss became NaN or infinite; the run's checkpoints predate it. */
export class DivergedError extends Error {
  override readonly name = 'DivergedError';

  constructor(
    readonly iteration: number,
    readonly loss: number,
  ) {
    super(`loss diverged to ${loss} at iteration ${iteration}`);
  }
}

export interface TrainResult {
  /** Iterations completed when training returned. */
  readonly iteration: number;
  readonly interrupted: boolean;
  /** The checkpoint holding that iteration. */
  readonly checkpoint: string;
}

/**
 * Trains `config` in `runDir` until `config.train.iterations` or until `signal` aborts:
 * the config copied into the run directory, a `log.jsonl` record per log interval,
 * validation and checkpoint, validation PSNR/SSIM every `validateEvery` iterations (and
 * before the first step of a new run), a checkpoint every `checkpointEvery`, on abort
 * and at the end. Resuming restores weights, Adam state, RNG and iteration, so the run
 * continues exactly as if it had never stopped.
 *
 * @example
 * const controller = new AbortController();
 * process.once('SIGINT', () => controller.abort());
 * await train({ config, runDir: defaultRunDir(config), resume: false, signal: controller.signal, hooks: trainingHooks });
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { config, runDir, hooks } = options;
  // A new run's pinned starting weights are read, and checked, before the run directory is touched.
  const warmStart = options.resume ? undefined : config.warmStart;
  const start = warmStart === undefined ? undefined : { pin: warmStart, ...(await hooks.loadStartingPoint(warmStart, config.arch, 'warmStart')) };
  await initBackend(config.train.backend);
  const initialization = options.resume ? undefined : await initializationOf(config, hooks);
  // Checked before the run directory is touched: a wrong teacher file refuses the run, leaving nothing behind.
  const teacher = await openTeacher(config, hooks);
  let changed: string[];
  let checkpointDir: string | undefined;
  let checkpoint: Checkpoint | undefined;
  try {
    changed = await openRunDirectory(runDir, config, options.resume);
    checkpointDir = options.resume ? await latestCheckpoint(runDir) : undefined;
    checkpoint = checkpointDir === undefined ? undefined : await loadCheckpoint(checkpointDir);
  } catch (error) {
    await teacher?.close();
    throw error;
  }
  const sessionStart: SessionStart | undefined =
    start !== undefined
      ? { weights: start.weights, iteration: start.origin.iterations }
      : initialization !== undefined
        ? { weights: initialization.weights, iteration: 0 }
        : undefined;
  // The session owns the teacher from here: it closes it if it fails to open, and when it closes.
  const session = await openSession(config, hooks, checkpoint, sessionStart, teacher);
  const log = new RunLog(join(runDir, RUN_LOG_FILE));
  const output = options.console ?? new ProgressLine(process.stderr);
  const record = async (entry: LogRecord): Promise<void> => {
    await log.append(entry);
    options.onRecord?.(entry);
  };
  try {
    const { backend, workers } = config.train;
    const resumedFrom = checkpointDir === undefined ? {} : { resumedFrom: checkpointDir, changed };
    // Logged as pinned (path and sha256) and with the history read from them (run, checkpoint, iterations).
    const pinned = ({ file, sha256 }: PinnedFile) => ({ path: file, sha256 });
    const warmStartFrom = start === undefined ? {} : { warmStartFrom: { ...pinned(start.pin), ...start.origin }, momentSteps: WARM_START_MOMENT_STEPS };
    const initialized =
      initialization === undefined ? {} : { initFrom: { ...pinned(initialization.pin), ...initialization.origin, fresh: [...initialization.fresh] } };
    await record({ type: 'start', iteration: session.startIteration, backend, workers, ...resumedFrom, ...warmStartFrom, ...initialized });
    const how =
      checkpointDir !== undefined
        ? `resuming from ${checkpointDir}:`
        : start !== undefined
          ? `warm start from ${start.pin.file} (iteration ${start.origin.iterations}):`
          : 'training';
    output.print(`${how} ${config.name} on ${backend} with ${workers} worker(s), ${session.sampler.pairs.length} training images`);
    if (initialization !== undefined) {
      output.print(
        `initialized from ${initialization.pin.file} (run ${initialization.origin.run} at ${initialization.origin.iterations} iterations); seeded: ${initialization.fresh.join(', ') || 'none'}`,
      );
    }
    if (teacher !== undefined) output.print(`distilling from ${teacher.path} (sha256 ${teacher.sha256.slice(0, 12)}...), weight ${config.distill!.weight}`);
    return await runLoop(options, session, output, record, {
      validateFirst: checkpointDir === undefined,
      momentSteps: start === undefined ? 0 : WARM_START_MOMENT_STEPS,
    });
  } finally {
    await session.close();
  }
}

/** A new run's first weights from `config.initFrom` (which the config validation keeps apart from a warm start). */
async function initializationOf(config: ExperimentConfig, hooks: TrainingHooks): Promise<(Initialization & { pin: PinnedFile }) | undefined> {
  const pin = config.initFrom;
  return pin === undefined ? undefined : { pin, ...(await hooks.loadInitialization(pin, config.arch, seededWeights(config))) };
}

async function runLoop(
  options: TrainOptions,
  session: TrainingSession,
  output: ProgressLine,
  record: (entry: LogRecord) => Promise<void>,
  begin: { readonly validateFirst: boolean; readonly momentSteps: number },
): Promise<TrainResult> {
  const { config, runDir, signal } = options;
  const { train: settings } = config;
  const throughput = new Throughput();
  const started = performance.now();
  let lossSum = 0;
  let lossCount = 0;
  let iteration = session.startIteration;
  let lastCheckpoint = '';
  let checkpointedIteration = -1;

  const checkpoint = async (learningRate: number): Promise<void> => {
    lastCheckpoint = await saveCheckpoint(runDir, snapshot(session, config, iteration, learningRate), settings.keepCheckpoints);
    checkpointedIteration = iteration;
    await record({ type: 'checkpoint', iteration, path: lastCheckpoint });
  };
  const validation = async (): Promise<void> => {
    const result = await validate(session.model, config);
    await record({ type: 'val', iteration, set: result.set, psnr: result.psnr, ssim: result.ssim });
    output.print(`[val] iter ${iteration.toLocaleString('en-US')} ${result.set} PSNR ${result.psnr.toFixed(3)} dB SSIM ${result.ssim.toFixed(4)}`);
  };

  // A new run's starting point is measured too: the curve's first point, and a check of warm-started weights.
  if (begin.validateFirst && settings.validateEvery > 0) await validation();
  if (begin.momentSteps > 0) output.print(`estimating Adam's moments: ${begin.momentSteps} steps at learning rate 0`);
  for (let step = 0; step < begin.momentSteps && signal?.aborted !== true; step++) {
    await session.step(session.sampler.nextBatch(settings.batchSize, session.rng), 0);
    await nextTurn();
  }
  while (iteration < settings.iterations && signal?.aborted !== true) {
    const stepStart = performance.now();
    const learningRate = learningRateAt(settings, iteration + 1);
    const loss = await session.step(session.sampler.nextBatch(settings.batchSize, session.rng), learningRate);
    if (!Number.isFinite(loss)) throw new DivergedError(iteration + 1, loss);
    iteration += 1;
    throughput.record(performance.now() - stepStart);
    lossSum += loss;
    lossCount += 1;
    const progress = { iteration, totalIterations: settings.iterations, learningRate, iterationsPerSecond: throughput.iterationsPerSecond() };
    output.live(formatProgress({ ...progress, loss }));
    if (iteration % settings.logEvery === 0) {
      const meanLoss = lossSum / lossCount;
      [lossSum, lossCount] = [0, 0];
      output.print(formatProgress({ ...progress, loss: meanLoss }));
      await record({
        type: 'train',
        iteration,
        loss: meanLoss,
        lr: learningRate,
        itPerSec: progress.iterationsPerSecond,
        elapsedSec: (performance.now() - started) / 1000,
      });
    }
    if (settings.validateEvery > 0 && iteration % settings.validateEvery === 0) await validation();
    if (iteration % settings.checkpointEvery === 0) await checkpoint(learningRate);
    // Let signal handlers run: without a turn of the event loop, SIGINT is never delivered.
    await nextTurn();
  }
  const interrupted = iteration < settings.iterations;
  if (checkpointedIteration !== iteration) await checkpoint(learningRateAt(settings, Math.max(iteration, 1)));
  await record({ type: 'stop', iteration, reason: interrupted ? 'interrupted' : 'finished' });
  output.print(`${interrupted ? 'interrupted' : 'finished'} at iteration ${iteration.toLocaleString('en-US')}; checkpoint ${lastCheckpoint}`);
  return { iteration, interrupted, checkpoint: lastCheckpoint };
}

function snapshot(session: TrainingSession, config: ExperimentConfig, iteration: number, learningRate: number): Checkpoint {
  const { step, firstMoments, secondMoments } = session.optimizer.state();
  return {
    iteration,
    learningRate,
    rngState: session.rng.state(),
    config,
    weights: session.model.namedWeights(),
    optimizer: { step, firstMoments, secondMoments, hyperparameters: session.optimizer.hyperparameters },
  };
}
