import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CHECKPOINTS_DIR,
  MANIFEST_FILE,
  TENSORS_FILE,
  checkpointDirName,
  type Checkpoint,
  type CheckpointManifest,
} from './format';
import { listCheckpoints } from './load';
import { packTensors } from './tensor-file';

const TEMP_PREFIX = '.tmp-';

/**
 * Writes a checkpoint atomically: into a temporary directory (files flushed to disk),
 * then renamed into place, so a kill at any moment leaves either the whole checkpoint
 * or none of it. Keeps the newest `keep` checkpoints and returns the new one's directory.
 * Saving an iteration that is already on disk is a no-op.
 *
 * @example
 * await saveCheckpoint('training/runs/smoke', checkpoint, 3);
 */
export async function saveCheckpoint(runDir: string, checkpoint: Checkpoint, keep: number): Promise<string> {
  const root = join(runDir, CHECKPOINTS_DIR);
  const target = join(root, checkpointDirName(checkpoint.iteration));
  await mkdir(root, { recursive: true });
  if (await exists(target)) return target;
  await removeStaleTemporaries(root);

  const { bytes, entries } = packTensors([
    ['weights', checkpoint.weights],
    ['adam/m', checkpoint.optimizer.firstMoments],
    ['adam/v', checkpoint.optimizer.secondMoments],
  ]);
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    iteration: checkpoint.iteration,
    learningRate: checkpoint.learningRate,
    rngState: [...checkpoint.rngState],
    config: checkpoint.config,
    optimizer: { name: 'adam', step: checkpoint.optimizer.step, ...checkpoint.optimizer.hyperparameters },
    tensors: entries,
    savedAt: new Date().toISOString(),
  };
  const temporary = join(root, `${TEMP_PREFIX}${checkpointDirName(checkpoint.iteration)}-${process.pid}`);
  await rm(temporary, { recursive: true, force: true });
  await mkdir(temporary);
  await writeDurably(join(temporary, TENSORS_FILE), bytes);
  await writeDurably(join(temporary, MANIFEST_FILE), new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
  await rename(temporary, target);
  await prune(runDir, keep);
  return target;
}

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Temporaries left by a process killed mid-save; never a complete checkpoint. */
async function removeStaleTemporaries(root: string): Promise<void> {
  for (const name of await readdir(root)) {
    if (name.startsWith(TEMP_PREFIX)) await rm(join(root, name), { recursive: true, force: true });
  }
}

async function prune(runDir: string, keep: number): Promise<void> {
  const checkpoints = await listCheckpoints(runDir);
  for (const dir of checkpoints.slice(0, Math.max(0, checkpoints.length - keep))) await rm(dir, { recursive: true, force: true });
}

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
