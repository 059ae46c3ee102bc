import type { PatchBatch } from '../data/sampler';

/**
 * A fixed super-resolution network a student is distilled from (`distillationLoss`), loaded by
 * training/distill/teacher.ts. No gradients: its output is a target like the HR patches.
 */
export interface Teacher {
  /** The resolved path of the model file. */
  readonly path: string;
  readonly sha256: string;
  readonly scale: number;
  /** The teacher's output on a batch's LR patches, NHWC like `batch.hr`. Deterministic. */
  predict(batch: Pick<PatchBatch, 'lr' | 'batchSize' | 'lrPatchSize'>): Promise<Float32Array>;
  /** Releases the onnxruntime session; idempotent. */
  close(): Promise<void>;
}
