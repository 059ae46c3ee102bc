/*
 * What every forward-pass timing shares, runtime-free so that Node (onnxruntime-node and -web,
 * training/reports/inference-timing.ts) and workerd (the bench Worker's `POST /_bench/model-time`,
 * test/bench/worker/model-time.ts) time the same input and report the same unit.
 */

/**
 * The LR input every speed measurement runs: NCHW RGB, `size` x `size`, smooth deterministic
 * values in [0, 1] (a constant image could let a runtime skip work that real images need).
 *
 * @example
 * new ort.Tensor('float32', timingInput(256), [1, 3, 256, 256]);
 */
export function timingInput(size: number): Float32Array {
  return Float32Array.from({ length: 3 * size * size }, (_, i) => (Math.sin(i * 0.37) + 1) / 2);
}

/** What the bench Worker answers for one model: a warm-up, then `seconds.length` timed forward passes. */
export interface ModelTimeResult {
  /** LR side of the square input, pixels. */
  readonly inputSize: number;
  readonly outputWidth: number;
  readonly outputHeight: number;
  /** Wall time of each timed pass, in run order, seconds. */
  readonly seconds: readonly number[];
  /** Nearest-rank median of `seconds`: a time that was actually measured. */
  readonly medianSeconds: number;
}

/**
 * The median pass's seconds per output megapixel, from the output the model really produced.
 *
 * @example
 * secondsPerOutputMegapixel({ inputSize: 256, outputWidth: 512, outputHeight: 512, seconds: [0.3], medianSeconds: 0.3 }); // 1.144…
 */
export function secondsPerOutputMegapixel(result: ModelTimeResult): number {
  return result.medianSeconds / ((result.outputWidth * result.outputHeight) / 1e6);
}
