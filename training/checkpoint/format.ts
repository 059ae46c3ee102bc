import type { ExperimentConfig } from '../config/experiment';
import type { NamedWeights } from '../model/weights';

/**
 * On-disk checkpoint, one directory per saved iteration:
 *
 *   <runDir>/checkpoints/00001000/checkpoint.json   this manifest
 *   <runDir>/checkpoints/00001000/weights.bin       every tensor, float32 little-endian, back to back
 *
 * `tensors[i]` says where each tensor lives in weights.bin (`offset` in bytes, `length` in
 * values). Group 'weights' holds the model's variables under their graph.ts names (what
 * the ONNX exporter reads); 'adam/m' and 'adam/v' the optimizer moments of the trainable ones.
 */
export const CHECKPOINT_FORMAT = 'wdsr-edge-checkpoint';
export const CHECKPOINT_VERSION = 1;
export const MANIFEST_FILE = 'checkpoint.json';
export const TENSORS_FILE = 'weights.bin';
export const CHECKPOINTS_DIR = 'checkpoints';

export type TensorGroup = 'weights' | 'adam/m' | 'adam/v';

export interface TensorEntry {
  readonly group: TensorGroup;
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly length: number;
}

export interface CheckpointManifest {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: typeof CHECKPOINT_VERSION;
  /** Iterations completed; training resumes at `iteration + 1`. */
  readonly iteration: number;
  /** Learning rate of the last completed iteration (informational; the schedule is in config). */
  readonly learningRate: number;
  /** The data-sampling RNG's state after the last completed iteration. */
  readonly rngState: readonly number[];
  readonly config: ExperimentConfig;
  readonly optimizer: { readonly name: 'adam'; readonly step: number } & AdamHyperparameters;
  readonly tensors: readonly TensorEntry[];
  readonly savedAt: string;
}

/** The settings of the optimizer a checkpoint stores, Adam (training/loop/adam.ts). */
export interface AdamHyperparameters {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** Everything Adam carries between steps, keyed by the variable names the optimiser was built with. */
export interface AdamState {
  /** Number of updates applied so far (drives the bias correction). */
  readonly step: number;
  readonly firstMoments: NamedWeights;
  readonly secondMoments: NamedWeights;
}

/** Everything needed to continue a run exactly where it stopped. */
export interface Checkpoint {
  readonly iteration: number;
  readonly learningRate: number;
  readonly rngState: readonly number[];
  readonly config: ExperimentConfig;
  readonly weights: NamedWeights;
  readonly optimizer: AdamState & { readonly hyperparameters: AdamHyperparameters };
}

/** Directory name of a checkpoint: the iteration, zero-padded so names sort in iteration order. */
export function checkpointDirName(iteration: number): string {
  return String(iteration).padStart(8, '0');
}
