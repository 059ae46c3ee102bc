import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateExperimentConfig } from '../config/validate';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CHECKPOINTS_DIR, MANIFEST_FILE, TENSORS_FILE, type Checkpoint, type CheckpointManifest } from './format';
import { unpackGroup } from './tensor-file';

const CHECKPOINT_NAME = /^\d{8,}$/;

/**
 * Reads a checkpoint directory written by `saveCheckpoint`: the model weights under
 * graph.ts names, the optimizer state, the RNG state and the config it was trained with.
 * `tensors`, when given, are the bytes of its weights.bin already read (and checked, for a pinned start).
 *
 * @example
 * const { config, weights } = await loadCheckpoint(await latestCheckpoint(runDir));
 * const model = TfjsModel.fromWeights(buildArch(config.arch), weights);
 */
export async function loadCheckpoint(dir: string, tensors?: Uint8Array): Promise<Checkpoint> {
  const manifestPath = join(dir, MANIFEST_FILE);
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as CheckpointManifest;
  if (manifest.format !== CHECKPOINT_FORMAT || manifest.version !== CHECKPOINT_VERSION) {
    throw new Error(`${manifestPath}: not a ${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION} manifest`);
  }
  const bytes = tensors ?? new Uint8Array(await readFile(join(dir, TENSORS_FILE)));
  const { name, step, ...hyperparameters } = manifest.optimizer;
  if (name !== 'adam') throw new Error(`${manifestPath}: unsupported optimizer ${JSON.stringify(name)}`);
  return {
    iteration: manifest.iteration,
    learningRate: manifest.learningRate,
    rngState: manifest.rngState,
    config: validateExperimentConfig(manifest.config, manifestPath),
    weights: unpackGroup(bytes, manifest.tensors, 'weights'),
    optimizer: {
      step,
      hyperparameters,
      firstMoments: unpackGroup(bytes, manifest.tensors, 'adam/m'),
      secondMoments: unpackGroup(bytes, manifest.tensors, 'adam/v'),
    },
  };
}

/** Complete checkpoint directories of a run, oldest first (temporaries of interrupted saves excluded). */
export async function listCheckpoints(runDir: string): Promise<string[]> {
  const root = join(runDir, CHECKPOINTS_DIR);
  const names = await readdir(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return names
    .filter((name) => CHECKPOINT_NAME.test(name))
    .sort((a, b) => Number(a) - Number(b))
    .map((name) => join(root, name));
}

/** The newest checkpoint directory of a run, or undefined when it has none. */
export async function latestCheckpoint(runDir: string): Promise<string | undefined> {
  return (await listCheckpoints(runDir)).at(-1);
}

/** A directory's checkpoint to read: itself when it holds a checkpoint manifest, otherwise (a run) its newest. */
export async function resolveCheckpointDir(dir: string): Promise<string> {
  const isCheckpoint = await access(join(dir, MANIFEST_FILE)).then(
    () => true,
    () => false,
  );
  if (isCheckpoint) return dir;
  const latest = await latestCheckpoint(dir);
  if (latest === undefined) throw new MissingCheckpointError(`${dir} holds no ${MANIFEST_FILE} and no ${CHECKPOINTS_DIR}/ of a run`);
  return latest;
}

/** Neither a checkpoint nor a run with one: a wrong path, reported as such by the CLIs. */
export class MissingCheckpointError extends Error {
  override readonly name = 'MissingCheckpointError';
}
