import { buildArch } from '../archs/index';
import type { Checkpoint } from '../checkpoint/format';
import type { ExperimentConfig } from '../config/experiment';
import { resolveRepoPath } from '../config/load';
import { PairedPatchSampler, type PatchBatch } from '../data/sampler';
import type { Teacher } from '../losses/teacher';
import { Rng } from '../model/rng';
import { TfjsModel } from '../model/tfjs-model';
import type { NamedWeights } from '../model/weights';
import { Adam, PAPER_ADAM } from './adam';
import { GradientWorkers } from './gradient-workers';
import type { TrainingHooks } from './hooks';
import { trainStep, type StepTimings } from './train-step';

/** The stateful pieces of a run: what a checkpoint captures, plus the data it samples from. */
export interface TrainingSession {
  readonly model: TfjsModel;
  readonly optimizer: Adam;
  /** Drives patch sampling; its state is checkpointed so a resumed run sees the same batches. */
  readonly rng: Rng;
  readonly sampler: PairedPatchSampler;
  /** Iterations already completed. */
  readonly startIteration: number;
  /** One optimisation step on `batch` over the run's `train.workers` threads (see `trainStep`); returns the loss. */
  step(batch: PatchBatch, learningRate: number, timings?: StepTimings): Promise<number>;
  /** Stops the worker threads and frees the tensors. */
  close(): Promise<void>;
}

/**
 * Patch sampling draws from its own stream, not the one that initialised the weights,
 * so the first crops are not a function of the first weights' random numbers.
 */
function dataSeed(seed: number): number {
  return (seed ^ 0x9e3779b9) >>> 0;
}

/**
 * The model a run trains: freshly initialised from `config.train.seed`, or holding
 * `weights` (quantization-aware when the config has a `quantization` section). Gradient
 * worker threads build their replicas through this function too, so every thread runs the
 * same forward pass.
 */
export function buildModel(config: ExperimentConfig, weights?: NamedWeights): TfjsModel {
  const graph = buildArch(config.arch);
  return weights === undefined ? TfjsModel.create(graph, config.train.seed) : TfjsModel.fromWeights(graph, weights, config.quantization);
}

/** The weights `config.train.seed` initialises a new run with. Expects the backend to be ready. */
export function seededWeights(config: ExperimentConfig): NamedWeights {
  const model = TfjsModel.create(buildArch(config.arch), config.train.seed);
  try {
    return model.namedWeights();
  } finally {
    model.dispose();
  }
}

/** Weights a new session starts from, and the iteration it counts on from. */
export interface SessionStart {
  readonly weights: NamedWeights;
  readonly iteration: number;
}

/** The hooks a session calls: a fresh quantization-aware run's weights, and the teacher unless one is given. */
export type SessionHooks = Pick<TrainingHooks, 'quantizationAwareStart' | 'loadTeacher'>;

/**
 * Builds a session from scratch (weights from `config.train.seed`), from a checkpoint
 * (weights, Adam moments and step, RNG state, iteration), or from given weights (a warm
 * start at its iteration, or an initialization at 0): empty Adam moments, and a data stream
 * seeded by the iteration so an earlier run's first batches are not replayed.
 * Starts `train.workers - 1` gradient worker threads. With `config.distill`, runs the teacher
 * (`givenTeacher`, else loaded here) on every batch before its step, the session closing it.
 * Expects the backend to be ready.
 */
export async function openSession(
  config: ExperimentConfig,
  hooks: SessionHooks,
  checkpoint?: Checkpoint,
  start?: SessionStart,
  givenTeacher?: Teacher,
): Promise<TrainingSession> {
  const teacher = givenTeacher ?? (await openTeacher(config, hooks));
  try {
    return await openSessionWith(config, hooks, checkpoint, start, teacher);
  } catch (error) {
    await teacher?.close();
    throw error;
  }
}

async function openSessionWith(
  config: ExperimentConfig,
  hooks: SessionHooks,
  checkpoint: Checkpoint | undefined,
  start: SessionStart | undefined,
  teacher: Teacher | undefined,
): Promise<TrainingSession> {
  const sampler = await PairedPatchSampler.fromDirectories(config.data.train.map(resolveRepoPath), {
    scale: config.arch.scale,
    hrPatchSize: config.data.hrPatchSize,
    augment: config.data.augment ?? true,
  });
  // A fresh quantization-aware run starts from its float checkpoint, with calibrated ranges.
  const model = buildModel(config, checkpoint?.weights ?? start?.weights ?? (await hooks.quantizationAwareStart(config)));
  const optimizer = new Adam(model.trainableNames, model.trainableVariables, checkpoint?.optimizer.hyperparameters ?? PAPER_ADAM);
  const startIteration = checkpoint?.iteration ?? start?.iteration ?? 0;
  let workers: GradientWorkers | undefined;
  try {
    if (checkpoint !== undefined) optimizer.restore(checkpoint.optimizer);
    if (config.train.workers > 1) workers = await GradientWorkers.start(config.train.workers - 1, config, model.namedWeights());
  } catch (error) {
    optimizer.dispose();
    model.dispose();
    throw error;
  }
  const distillWeight = config.distill?.weight ?? 0;
  return {
    model,
    optimizer,
    rng: checkpoint === undefined ? new Rng(dataSeed(config.train.seed + startIteration)) : Rng.fromState([...checkpoint.rngState]),
    sampler,
    startIteration,
    async step(batch, learningRate, timings) {
      // The teacher sees the whole batch once, here; each shard then carries its slice of the targets.
      const taught = teacher === undefined ? batch : { ...batch, teacher: { sr: await teacher.predict(batch), weight: distillWeight } };
      return trainStep(model, optimizer, taught, learningRate, workers, timings);
    },
    async close() {
      try {
        await workers?.close();
        await teacher?.close();
      } finally {
        optimizer.dispose();
        model.dispose();
      }
    },
  };
}

/** The distillation teacher of `config`, if it has one, loaded and checked by `hooks.loadTeacher`. */
export async function openTeacher(config: ExperimentConfig, hooks: Pick<TrainingHooks, 'loadTeacher'>): Promise<Teacher | undefined> {
  return config.distill === undefined ? undefined : hooks.loadTeacher(config.distill, config.arch.scale);
}
