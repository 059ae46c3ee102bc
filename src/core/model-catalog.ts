import type { ModelEntry, ModelManifest } from './manifest';
import type { ModelRunner } from './model-runner';

/** A model could not be made ready (missing file, checksum mismatch, runtime failure). */
export class ModelUnavailableError extends Error {
  override readonly name = 'ModelUnavailableError';
  constructor(
    readonly model: ModelEntry,
    cause: unknown,
  ) {
    super(`model ${model.id} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The models a service can run, chosen by scale. */
export interface ModelCatalog {
  /** Scales with a model, ascending: the allowed values of `upscale`. */
  readonly scales: readonly number[];
  /** The manifest entry for `scale`, without loading anything (cache keys need its sha256). */
  entry(scale: number): ModelEntry | undefined;
  /**
   * The ready runner for `scale`, loaded on first use and shared afterwards. A load that failed
   * is not retried: every later call rejects at once with the same {@link ModelUnavailableError}.
   */
  runner(scale: number): Promise<ModelRunner>;
}

/** Turns a manifest entry into a runner; the runtime-specific part of a catalog. */
export type LoadRunner = (model: ModelEntry) => Promise<ModelRunner>;

/**
 * A catalog over `manifest` that loads each model at most once per process (per isolate in
 * workerd), as one memoised promise per model: concurrent first requests share one load.
 *
 * @example
 * const catalog = createModelCatalog(parseManifest(json), (model) => createOrtRunner(model, files));
 * const runner = await catalog.runner(2);
 */
export function createModelCatalog(manifest: ModelManifest, load: LoadRunner): ModelCatalog {
  const byScale = new Map(manifest.models.map((model) => [model.scale, model]));
  const loads = new Map<number, Promise<ModelRunner>>();
  return {
    scales: [...byScale.keys()].sort((a, b) => a - b),
    entry: (scale) => byScale.get(scale),
    runner(scale) {
      const model = byScale.get(scale);
      if (!model) return Promise.reject(new RangeError(`no model for scale ${scale}`));
      let runner = loads.get(scale);
      if (!runner) {
        runner = startLoad(model, load);
        loads.set(scale, runner);
      }
      return runner;
    },
  };
}

async function startLoad(model: ModelEntry, load: LoadRunner): Promise<ModelRunner> {
  try {
    return await load(model);
  } catch (error) {
    throw new ModelUnavailableError(model, error);
  }
}
