import type { ArchConfig } from '../archs/config';
import type { Initialization, StartingPoint } from '../checkpoint/origin';
import type { DistillConfig, ExperimentConfig, PinnedFile } from '../config/experiment';
import type { Teacher } from '../losses/teacher';
import type { NamedWeights } from '../model/weights';

/**
 * What a run takes from the layers above the loop: weights read out of exported ONNX models,
 * activation ranges calibrated in onnxruntime, a teacher run in onnxruntime. The loop imports
 * none of them, so its gradient worker threads never load onnxruntime; the commands pass
 * training/cli/training-hooks.ts, tests what they need.
 */
export interface TrainingHooks {
  /** `config.warmStart`: trained weights of `arch`, a checkpoint's or an exported fp32 model's, checked against the pin (training/onnx/starting-point.ts). */
  loadStartingPoint(pin: PinnedFile, arch: ArchConfig, field: string): Promise<StartingPoint>;
  /** `config.initFrom`: a trained network of `arch` at any scale, checked against the pin, merged into the `seeded` weights (training/onnx/starting-point.ts). */
  loadInitialization(pin: PinnedFile, arch: ArchConfig, seeded: NamedWeights): Promise<Initialization>;
  /** A fresh quantization-aware run's weights: `quantization.from` plus calibrated ranges; undefined for a float run (training/quant/start.ts). */
  quantizationAwareStart(config: ExperimentConfig): Promise<NamedWeights | undefined>;
  /** `config.distill`'s teacher, checked against it (training/distill/teacher.ts). */
  loadTeacher(config: DistillConfig, scale: number): Promise<Teacher>;
}
