import type { ArchConfig } from '../archs/config';
import type { Initialization, StartingPoint } from '../checkpoint/origin';
import type { DistillConfig, ExperimentConfig } from '../config/experiment';
import type { Teacher } from '../losses/teacher';
import type { NamedWeights } from '../model/weights';

/**
 * What a run takes from the layers above the loop: weights read out of exported ONNX models,
 * activation ranges calibrated in onnxruntime, a teacher run in onnxruntime. The loop imports
 * none of them, so its gradient worker threads never load onnxruntime; the commands pass
 * training/cli/training-hooks.ts, tests what they need.
 */
export interface TrainingHooks {
  /** Trained weights of `arch` to warm-start from: a checkpoint, a run or an exported fp32 model (training/onnx/starting-point.ts). */
  loadStartingPoint(path: string, arch: ArchConfig): Promise<StartingPoint>;
  /** `config.initFrom`: a trained network of `arch` at any scale, merged into the `seeded` weights (training/onnx/starting-point.ts). */
  loadInitialization(path: string, arch: ArchConfig, seeded: NamedWeights): Promise<Initialization>;
  /** A fresh quantization-aware run's weights: `quantization.from` plus calibrated ranges; undefined for a float run (training/quant/start.ts). */
  quantizationAwareStart(config: ExperimentConfig): Promise<NamedWeights | undefined>;
  /** `config.distill`'s teacher, checked against it (training/distill/teacher.ts). */
  loadTeacher(config: DistillConfig, scale: number): Promise<Teacher>;
}
