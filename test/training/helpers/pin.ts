import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../../../src/core/digest';
import { TENSORS_FILE } from '../../../training/checkpoint/format';
import { latestCheckpoint } from '../../../training/checkpoint/load';
import type { PinnedFile } from '../../../training/config/experiment';

/** `file` pinned by its bytes now, as a config pins the trained weights a run starts from. */
export async function pinFile(file: string): Promise<PinnedFile> {
  return { file, sha256: await sha256Hex(new Uint8Array(await readFile(file))) };
}

/** The weights.bin of a run's newest checkpoint, pinned. */
export async function pinLatestCheckpoint(runDir: string): Promise<PinnedFile> {
  const checkpoint = await latestCheckpoint(runDir);
  if (checkpoint === undefined) throw new Error(`${runDir} has no checkpoint`);
  return pinFile(join(checkpoint, TENSORS_FILE));
}
