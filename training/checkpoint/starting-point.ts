import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { ArchConfig } from '../archs/config';
import { buildArch } from '../archs/index';
import { readManifest, sha256Hex } from '../export/manifest';
import type { NamedWeights } from '../export/weights';
import { loadCheckpoint, resolveCheckpointDir } from './load';
import { weightsFromOnnx } from './onnx-weights';

/** Where trained weights came from: recorded in run logs and model manifests. */
export interface WeightsOrigin {
  readonly run: string;
  readonly checkpoint: string;
  readonly iterations: number;
}

/** Trained weights to start a run from, with their history. */
export interface StartingPoint {
  readonly weights: NamedWeights;
  readonly origin: WeightsOrigin;
}

/**
 * Reads the weights of a checkpoint directory, a run (its newest checkpoint), or a float
 * ONNX model exported by `npm run export` (its history from the model manifest beside it,
 * matched by sha256). A shipped fp32 model is all that survives a machine whose run
 * directories are gone, so training can continue from it. The weights must be of `arch`.
 *
 * @example
 * const { weights, origin } = await loadStartingPoint('model/wdsr-b-x2-fp32.onnx', config.arch);
 */
export async function loadStartingPoint(path: string, arch: ArchConfig): Promise<StartingPoint> {
  const start = path.endsWith('.onnx') ? await fromOnnx(path) : await fromCheckpoint(path);
  if (JSON.stringify(start.arch) !== JSON.stringify(arch)) {
    throw new Error(`${path} holds a ${JSON.stringify(start.arch)} network, not this config's ${JSON.stringify(arch)}`);
  }
  return { weights: start.weights, origin: start.origin };
}

async function fromCheckpoint(path: string): Promise<StartingPoint & { arch: ArchConfig }> {
  const dir = await resolveCheckpointDir(path);
  const checkpoint = await loadCheckpoint(dir);
  const origin = { run: checkpoint.config.name, checkpoint: basename(resolve(dir)), iterations: checkpoint.iteration };
  return { weights: checkpoint.weights, origin, arch: checkpoint.config.arch };
}

async function fromOnnx(path: string): Promise<StartingPoint & { arch: ArchConfig }> {
  const bytes = new Uint8Array(await readFile(path));
  const sha256 = sha256Hex(bytes);
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
