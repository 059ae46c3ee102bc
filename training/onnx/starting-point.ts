import { basename, dirname } from 'node:path';
import type { ArchConfig } from '../archs/config';
import { buildArch, withoutReparam } from '../archs/index';
import { TENSORS_FILE } from '../checkpoint/format';
import { loadCheckpoint } from '../checkpoint/load';
import type { Initialization, StartingPoint, WeightsOrigin } from '../checkpoint/origin';
import type { PinnedFile } from '../config/experiment';
import { readPinnedFile } from '../config/pinned-file';
import type { NamedWeights } from '../model/weights';
import { readManifest } from './manifest';
import { weightsFromOnnx } from './onnx-weights';
import { initialWeights } from '../model/init';
import { Rng } from '../model/rng';
import { collapseReparam, expandReparam } from './reparam-collapse';

/**
 * Reads the trained weights a config pins (`warmStart` or `quantization.from`, named by `field` in
 * errors), after checking the file's SHA-256 (see `readPinnedFile`): a checkpoint's weights.bin
 * (the checkpoint beside it), or a float ONNX model exported by `npm run export` (its history
 * from the model manifest beside it, matched by sha256). A shipped fp32 model is all that
 * survives a machine whose run directories are gone, so training can continue from it. The
 * weights must be of `arch`, or its plain or re-parameterized form (see `inArchOf`).
 *
 * @example
 * const { weights, origin } = await loadStartingPoint(config.warmStart, config.arch, 'warmStart');
 */
export async function loadStartingPoint(pin: PinnedFile, arch: ArchConfig, field: string): Promise<StartingPoint> {
  const start = inArchOf(await readTrained(pin, field), arch);
  if (JSON.stringify(start.arch) !== JSON.stringify(arch)) {
    throw new Error(`${field}: ${pin.file} holds a ${JSON.stringify(start.arch)} network, not this config's ${JSON.stringify(arch)}`);
  }
  return { weights: start.weights, origin: start.origin };
}

/**
 * A new run's first weights from the trained network `config.initFrom` pins (read as
 * `loadStartingPoint` reads it), which must be `arch` at any scale: each tensor of `seeded` (the
 * run's initial weights) is replaced by the trained tensor of the same name and shape, when there is one.
 *
 * @example
 * const { weights, fresh } = await loadInitialization(config.initFrom, x3Arch, seeded);
 * // fresh: the tail and skip conv tensors, whose output channels depend on the scale
 */
export async function loadInitialization(pin: PinnedFile, arch: ArchConfig, seeded: NamedWeights): Promise<Initialization> {
  const start = inArchOf(await readTrained(pin, 'initFrom'), arch);
  if (JSON.stringify({ ...start.arch, scale: arch.scale }) !== JSON.stringify(arch)) {
    throw new Error(
      `initFrom: ${pin.file} holds a ${JSON.stringify(start.arch)} network: only its scale may differ from this config's ${JSON.stringify(arch)}`,
    );
  }
  const weights: NamedWeights = new Map();
  const fresh: string[] = [];
  for (const [name, tensor] of seeded) {
    const trained = start.weights.get(name);
    const matches = trained !== undefined && trained.shape.join() === tensor.shape.join();
    weights.set(name, matches ? trained : tensor);
    if (!matches) fresh.push(name);
  }
  return { weights, origin: start.origin, fresh };
}

/**
 * Trained weights as the network `arch` holds them. A network trained with `arch.reparam` is
 * collapsed when `arch` is plain, as `npm run export` would export it, so a plain run can start
 * from the checkpoint itself (a `warmStart`, `initFrom`, or `quantization.from`). A plain network
 * is expanded when `arch` is its re-parameterized form (`expandReparam`: the same function, the
 * free parts of each linear block drawn from {@link EXPANSION_SEED}), so a served model can go on
 * training as a re-parameterized one from its fp32 export.
 */
function inArchOf(start: StartingPoint & { arch: ArchConfig }, arch: ArchConfig): StartingPoint & { arch: ArchConfig } {
  const archPlain = withoutReparam(arch) === arch;
  const startPlain = withoutReparam(start.arch) === start.arch;
  if (archPlain && !startPlain) return { ...start, ...collapseReparam(start.arch, start.weights) };
  if (!archPlain && startPlain && JSON.stringify(withoutReparam(arch)) === JSON.stringify(start.arch)) {
    const seeded = initialWeights(buildArch(arch), new Rng(EXPANSION_SEED));
    return { ...start, arch, weights: expandReparam(arch, start.weights, seeded) };
  }
  return start;
}

/** Seed of the free parts of the linear blocks a plain starting point is expanded into: a fixed one, so the expansion depends on the file alone. */
const EXPANSION_SEED = 1;

async function readTrained(pin: PinnedFile, field: string): Promise<StartingPoint & { arch: ArchConfig }> {
  const { path, bytes, sha256 } = await readPinnedFile(pin, field);
  return basename(path) === TENSORS_FILE ? fromCheckpoint(dirname(path), bytes) : fromOnnx(path, bytes, sha256);
}

async function fromCheckpoint(dir: string, tensors: Uint8Array): Promise<StartingPoint & { arch: ArchConfig }> {
  const checkpoint = await loadCheckpoint(dir, tensors);
  const origin = { run: checkpoint.config.name, checkpoint: basename(dir), iterations: checkpoint.iteration };
  return { weights: checkpoint.weights, origin, arch: checkpoint.config.arch };
}

async function fromOnnx(path: string, bytes: Uint8Array, sha256: string): Promise<StartingPoint & { arch: ArchConfig }> {
  const manifest = await readManifest(dirname(path));
  const entry = [...manifest.models, ...manifest.references].find((model) => model.sha256 === sha256);
  if (entry === undefined) throw new Error(`${path}: no entry in ${dirname(path)}/manifest.json has its sha256, so its training history is unknown`);
  if (entry.precision !== 'fp32') throw new Error(`${path} is an ${entry.precision} model: start from its fp32 reference`);
  const training = entry.training as (WeightsOrigin & Record<string, unknown>) | null;
  if (training === null) throw new Error(`${path}: its manifest entry records no training run`);
  // Read as the manifest's architecture: a mismatch is then reported as one, not as a missing tensor.
  const weights = weightsFromOnnx(bytes, buildArch(entry.arch), path);
  return { weights, origin: { run: training.run, checkpoint: training.checkpoint, iterations: training.iterations }, arch: entry.arch };
}
