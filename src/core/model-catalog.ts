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

/** A ready runner, held open until {@link ModelLease.end}. */
export interface ModelLease {
  readonly runner: ModelRunner;
  /** Lets go of the runner (idempotent): with no lease left, it may be closed to make room for another scale's. */
  end(): void;
}

/** The models a service can run, chosen by scale. */
export interface ModelCatalog {
  /** Scales with a model, ascending: the allowed values of `upscale`. */
  readonly scales: readonly number[];
  /** The manifest entry for `scale`, without loading anything (cache keys need its sha256). */
  entry(scale: number): ModelEntry | undefined;
  /** Starts loading `scale`'s runner ahead of its lease (a request that names its scale, while its source downloads). */
  warm(scale: number): void;
  /**
   * The ready runner for `scale`, loaded on first use and shared by every lease until it is closed
   * (below). A load that failed is not retried: every later lease rejects at once with the same
   * {@link ModelUnavailableError}.
   */
  lease(scale: number): Promise<ModelLease>;
}

/** Turns a manifest entry into a runner; the runtime-specific part of a catalog. */
export type LoadRunner = (model: ModelEntry) => Promise<ModelRunner>;

interface Slot {
  readonly loading: Promise<ModelRunner>;
  leases: number;
  failed: boolean;
}

/**
 * A catalog over `manifest` that keeps one runner per scale open while it is leased, and closes the
 * idle runners of other scales before it loads one: onnxruntime's WebAssembly memory never shrinks,
 * so three sessions open side by side would keep the sum of their working sets (23.1 MiB for the
 * shipped x2, x3 and x4 at their tile sizes), where one at a time reuses the same 19.3
 * (docs/benchmarks.md). Loading a shipped model again costs about 0.1 s, once per change of scale.
 * Concurrent first leases share one load.
 *
 * @example
 * const catalog = createModelCatalog(parseManifest(json), (model) => createOrtRunner(model, files));
 * const { runner, end } = await catalog.lease(2);
 * try { await upscaleImage(image, runner, { tileSize: 128 }); } finally { end(); }
 */
export function createModelCatalog(manifest: ModelManifest, load: LoadRunner): ModelCatalog {
  const byScale = new Map(manifest.models.map((model) => [model.scale, model]));
  const slots = new Map<number, Slot>();
  /** Settles once every close begun so far has: a load waits for it, so that it reuses the memory they free. */
  let closed: Promise<unknown> = Promise.resolve();

  function open(model: ModelEntry): Slot {
    const existing = slots.get(model.scale);
    if (existing !== undefined) return existing;
    for (const [scale, slot] of slots) {
      // A failed slot holds nothing to close, and stays to answer later leases with its error.
      if (slot.leases > 0 || slot.failed) continue;
      slots.delete(scale);
      closed = Promise.all([closed, slot.loading.then((runner) => runner.close()).catch(() => {})]);
    }
    const slot: Slot = { loading: closed.then(() => startLoad(model, load)), leases: 0, failed: false };
    slot.loading.catch(() => {
      slot.failed = true;
    });
    slots.set(model.scale, slot);
    return slot;
  }

  function modelFor(scale: number): ModelEntry {
    const model = byScale.get(scale);
    if (model === undefined) throw new RangeError(`no model for scale ${scale}`);
    return model;
  }

  return {
    scales: [...byScale.keys()].sort((a, b) => a - b),
    entry: (scale) => byScale.get(scale),
    warm(scale) {
      const model = byScale.get(scale);
      if (model !== undefined) open(model); // an unknown scale is refused where the request leases it
    },
    async lease(scale) {
      const slot = open(modelFor(scale));
      slot.leases++;
      let runner: ModelRunner;
      try {
        runner = await slot.loading;
      } catch (error) {
        slot.leases--;
        throw error;
      }
      let ended = false;
      return {
        runner,
        end() {
          if (ended) return;
          ended = true;
          slot.leases--;
        },
      };
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
