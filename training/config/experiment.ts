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
   * Trained weights a new float run continues: it starts at their iteration (their history says
   * which, see `PinnedFile`), Adam's moments re-estimated at learning rate 0 first. How a run goes
   * on when only its exported fp32 model survived, or branches off another run's checkpoint.
   * Ignored on resume, which continues from the run's own checkpoint.
   */
  readonly warmStart?: PinnedFile;
  /**
   * Trained weights a new float run starts from instead of `train.seed`'s: an fp32 model from
   * `npm run export` or a checkpoint (see `PinnedFile`), of this architecture at any scale.
   * Every tensor they share by name and shape is taken; the tail and skip convs of another scale
   * (3 scale^2 outputs) keep their seeded values. EDSR trains its x3 and x4 models this way, from
   * the x2 one: the body's features carry over, and the run starts far above a random network.
   * The run still counts from iteration 0, with fresh Adam moments.
   */
  readonly initFrom?: PinnedFile;
  /** Present for knowledge distillation: the loss mixes in the L1 distance to a teacher's output. */
  readonly distill?: DistillConfig;
}

/**
 * A file of trained weights a run starts from, pinned by its bytes: loading it refuses any file
 * whose SHA-256 is not `sha256` (training/config/pinned-file.ts), so a config says exactly what
 * its run started from, and running it again starts from the same weights.
 *
 * @example
 * { "file": "model/wdsr-b-x3-f24b8-restart8k-fp32.onnx", "sha256": "b429128f...c7286" }
 */
export interface PinnedFile {
  /**
   * Relative to the repository root: an fp32 model from `npm run export` (its history, run and
   * iteration, from the manifest.json beside it, matched by sha256), or a checkpoint's
   * `weights.bin` (`<run>/checkpoints/<iteration>/weights.bin`, its history from the checkpoint).
   */
  readonly file: string;
  /** The file's SHA-256 as `sha256sum` prints it (64 lowercase hex digits). */
  readonly sha256: string;
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
  /** What to start from: a float checkpoint's weights.bin or an fp32 model from `npm run export` (see `PinnedFile`). */
  readonly from: PinnedFile;
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
  /**
   * false: patches are used as cropped. Absent (the default, and how `true` is stored): each
   * patch gets one of the 8 flips/rotations of the square. Either way the sampler draws the
   * same random numbers, so one seed picks the same images and crops with and without it.
   */
  readonly augment?: false;
}

export interface TrainConfig {
  readonly iterations: number;
  readonly batchSize: number;
  /** Initial learning rate; defaults to the paper's for the normalization (see `paperLearningRate`). */
  readonly lr: number;
  /** Iterations after which the learning rate halves (iteration i uses lr / 2^#{s < i}); empty under `lrSchedule`. */
  readonly lrHalvingSteps: readonly number[];
  /** Absent (the default): the step halvings of `lrHalvingSteps`. Present: a decay that replaces them. */
  readonly lrSchedule?: CosineSchedule;
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
 * Cosine decay: the learning rate falls from `lr` at iteration 1 to 0 after `iterations`
 * along half a cosine period, lr * (1 + cos(pi * (i - 1) / iterations)) / 2. Its own length,
 * not the run's, so extending a run's `train.iterations` (a resumable change) never changes
 * the rate of an iteration already trained; it must be at least the run's.
 */
export interface CosineSchedule {
  readonly kind: 'cosine';
  readonly iterations: number;
}

/**
 * The paper's initial learning rate (Section 4.2): weight normalization trains stably at
 * 1e-3, ten times what batch norm or no normalization tolerates.
 */
export function paperLearningRate(normalization: Normalization): number {
  return normalization === 'weight' ? 1e-3 : 1e-4;
}

/** Learning rate at 1-based `iteration`: under `lrSchedule`, its cosine; otherwise halved once per milestone already passed. */
export function learningRateAt(train: Pick<TrainConfig, 'lr' | 'lrHalvingSteps' | 'lrSchedule'>, iteration: number): number {
  if (train.lrSchedule !== undefined) {
    const { iterations } = train.lrSchedule;
    return (train.lr * (1 + Math.cos((Math.PI * Math.min(iteration - 1, iterations)) / iterations))) / 2;
  }
  const halvings = train.lrHalvingSteps.filter((step) => iteration > step).length;
  return train.lr / 2 ** halvings;
}
