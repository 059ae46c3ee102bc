import { buildArch } from '../archs/index';
import type { Checkpoint } from '../checkpoint/format';
import type { ExperimentConfig } from '../config/experiment';
import { resolveRepoPath } from '../config/load';
import { Rng } from '../data/rng';
import { PairedPatchSampler } from '../data/sampler';
import { TfjsModel } from '../model/tfjs-model';
import { Adam, PAPER_ADAM } from './adam';

/** The stateful pieces of a run: what a checkpoint captures, plus the data it samples from. */
export interface TrainingSession {
  readonly model: TfjsModel;
  readonly optimizer: Adam;
  /** Drives patch sampling; its state is checkpointed so a resumed run sees the same batches. */
  readonly rng: Rng;
  readonly sampler: PairedPatchSampler;
  /** Iterations already completed. */
  readonly startIteration: number;
  dispose(): void;
}

/**
 * Patch sampling draws from its own stream, not the one that initialised the weights,
 * so the first crops are not a function of the first weights' random numbers.
 */
export function dataSeed(seed: number): number {
  return (seed ^ 0x9e3779b9) >>> 0;
}

/**
 * Builds a session from scratch (weights from `config.train.seed`) or from a checkpoint
 * (weights, Adam moments and step, RNG state, iteration). Expects the backend to be ready.
 */
export async function openSession(config: ExperimentConfig, checkpoint?: Checkpoint): Promise<TrainingSession> {
  const sampler = await PairedPatchSampler.fromDirectories(config.data.train.map(resolveRepoPath), {
    scale: config.arch.scale,
    hrPatchSize: config.data.hrPatchSize,
  });
  const graph = buildArch(config.arch);
  const model = checkpoint === undefined ? TfjsModel.create(graph, config.train.seed) : TfjsModel.fromWeights(graph, checkpoint.weights);
  const optimizer = new Adam(model.trainableNames, model.trainableVariables, checkpoint?.optimizer.hyperparameters ?? PAPER_ADAM);
  if (checkpoint !== undefined) optimizer.restore(checkpoint.optimizer);
  return {
    model,
    optimizer,
    rng: checkpoint === undefined ? new Rng(dataSeed(config.train.seed)) : Rng.fromState([...checkpoint.rngState]),
    sampler,
    startIteration: checkpoint?.iteration ?? 0,
    dispose() {
      optimizer.dispose();
      model.dispose();
    },
  };
}
