import type { NamedWeights } from '../model/weights';

/** Where trained weights came from, a run's checkpoint: recorded in run logs and model manifests. */
export interface WeightsOrigin {
  readonly run: string;
  readonly checkpoint: string;
  readonly iterations: number;
}

/** Trained weights to start a run from, with their history (read by training/onnx/starting-point.ts). */
export interface StartingPoint {
  readonly weights: NamedWeights;
  readonly origin: WeightsOrigin;
}

/** Trained weights of another scale merged into a new run's seeded ones (see `ExperimentConfig.initFrom`). */
export interface Initialization extends StartingPoint {
  /** The seeded tensors kept because the trained network has none of that name and shape. */
  readonly fresh: readonly string[];
}
