import type { ModelEntry } from './manifest';

/**
 * A float image stored plane by plane (all R, then all G, then all B): the memory layout of an
 * NCHW tensor with batch 1 and 3 channels.
 */
export interface PlanarImage {
  readonly width: number;
  readonly height: number;
  /** `3 * width * height` values in the model's value range. */
  readonly data: Float32Array;
}

/**
 * The one thing the upscale pipeline needs from an inference runtime. The Worker implements it
 * with onnxruntime-web WASM; a browser client can implement it with WebGPU, tests in Node with
 * onnxruntime-node. Implementations own their session lifecycle; `run` may be called for tiles
 * of varying size (input dimensions are dynamic).
 *
 * @example
 * const sr = await runner.run({ width: 64, height: 48, data: lr }); // sr.width === 64 * runner.model.scale
 */
export interface ModelRunner {
  /** The manifest entry being run: scale, value ranges, receptive field. */
  readonly model: ModelEntry;
  /**
   * Super-resolves `input`, which the runner reads only until the promise settles (callers reuse
   * its buffer for the next tile). The output is a fresh array the caller owns, free to release.
   */
  run(input: PlanarImage): Promise<PlanarImage>;
  /** Frees the runtime's session; no `run` may follow. Called by the catalog, never mid-run. */
  close(): Promise<void>;
}
