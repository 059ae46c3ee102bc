import type { ArchConfig } from '../archs/config';
import type { Normalization } from '../archs/graph';
import type { BackendName } from '../backend/init';

/**
 * One training experiment, as written in `training/configs/*.json` (and copied, with
 * defaults filled in, into its run directory). Paths are relative to the repository root.
 */
export interface ExperimentConfig {
  /** Run name and run directory name, e.g. `WDSR-B_x2_f32b8_T91+BSD200`. */
  readonly name: string;
  readonly description?: string;
  readonly arch: ArchConfig;
  readonly data: DataConfig;
  readonly train: TrainConfig;
  /** Present for quantization-aware training: the forward pass rounds as the int8 export does. */
  readonly quantization?: QuantizationConfig;
  /**
   * Trained weights a new float run starts from instead of `train.seed`'s: a checkpoint directory,
   * a run (its newest) or an fp32 model from `npm run export`, of this architecture at any scale.
   * Every tensor they share by name and shape is taken; the tail and skip convs of another scale
   * (3 scale^2 outputs) keep their seeded values. EDSR trains its x3 and x4 models this way, from
   * the x2 one: the body's features carry over, and the run starts far above a random network.
   * The run still counts from iteration 0, with fresh Adam moments.
   */
  readonly initFrom?: string;
  /** Present for knowledge distillation: the loss mixes in the L1 distance to a teacher's output. */
  readonly distill?: DistillConfig;
}

/**
 * Knowledge distillation from a fixed teacher (docs/reparam-and-distillation.md): the loss is
 * `(1 - weight) * L1(student, HR) + weight * L1(student, teacher(LR))`, the teacher run in the
 * training process on each batch's LR patches, without gradients.
 */
export interface DistillConfig {
  /** The teacher: a float ONNX model of the run's scale (e.g. an fp32 export of `npm run export`), relative to the repository root. */
  readonly teacher: string;
  /** SHA-256 of the teacher file (lowercase hex): a run refuses to start, or resume, against any other file. */
  readonly sha256: string;
  /** The teacher term's share of the loss, in (0, 1]. */
  readonly weight: number;
}

/**
 * Quantization-aware fine-tuning of a float checkpoint: a fresh run starts from its weights,
 * calibrates the activation ranges on training patches as `npm run export -- --int8` does, and
 * trains through the int8 rounding with those ranges, which its checkpoints carry to the export.
 */
export interface QuantizationConfig {
  /** What to start from: a float checkpoint directory, a run (its newest), or an fp32 model from `npm run export`. */
  readonly from: string;
  /** As the export command's `--calibration`: `minmax` or `percentile:<p>` (see `parseCalibrationMethod`). */
  readonly calibration: string;
  /** LR training patches the ranges are calibrated on. */
  readonly calibrationPatches: number;
  /** Conv layers kept in float, e.g. ["tail", "skip"]. */
  readonly floatConvs: readonly string[];
}

export interface DataConfig {
  /** Directories of HR images to sample training patches from. */
  readonly train: readonly string[];
  /** Directory of HR images for periodic validation (Y-PSNR/SSIM against bicubic-downscaled inputs). */
  readonly val: string;
  /** HR patch side; the LR patch is `hrPatchSize / scale`. */
  readonly hrPatchSize: number;
}

export interface TrainConfig {
  readonly iterations: number;
  readonly batchSize: number;
  /** Initial learning rate; defaults to the paper's for the normalization (see `paperLearningRate`). */
  readonly lr: number;
  /** Iterations after which the learning rate halves (iteration i uses lr / 2^#{s < i}). */
  readonly lrHalvingSteps: readonly number[];
  readonly seed: number;
  readonly backend: BackendName;
  /**
   * Threads that compute each step's gradients (data parallelism): 1, the main thread alone;
   * N, the main thread and N - 1 worker threads, each on a contiguous 1/N of the batch, the
   * gradients averaged in a fixed order. Defaults to 1 (see docs/training-speed.md).
   */
  readonly workers: number;
  readonly logEvery: number;
  /** 0 disables periodic validation. */
  readonly validateEvery: number;
  readonly checkpointEvery: number;
  /** How many of the newest checkpoints to keep on disk. */
  readonly keepCheckpoints: number;
}

/**
 * The paper's initial learning rate (Section 4.2): weight normalization trains stably at
 * 1e-3, ten times what batch norm or no normalization tolerates.
 */
export function paperLearningRate(normalization: Normalization): number {
  return normalization === 'weight' ? 1e-3 : 1e-4;
}

/** Learning rate at 1-based `iteration`: halved once per milestone already passed. */
export function learningRateAt(train: Pick<TrainConfig, 'lr' | 'lrHalvingSteps'>, iteration: number): number {
  const halvings = train.lrHalvingSteps.filter((step) => iteration > step).length;
  return train.lr / 2 ** halvings;
}
