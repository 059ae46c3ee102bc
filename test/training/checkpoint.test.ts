import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointDirName, type Checkpoint } from '../../training/checkpoint/format';
import { latestCheckpoint, listCheckpoints, loadCheckpoint } from '../../training/checkpoint/load';
import { saveCheckpoint } from '../../training/checkpoint/save';
import { packTensors, unpackGroup } from '../../training/checkpoint/tensor-file';
import type { NamedWeights } from '../../training/model/weights';
import { PAPER_ADAM } from '../../training/loop/adam';
import { tinyExperimentConfig } from './helpers/tiny-config';

const config = tinyExperimentConfig('checkpoint-test');

function tensors(seed: number): NamedWeights {
  return new Map([
    ['head/v', { shape: [3, 3, 3, 2], data: Float32Array.from({ length: 54 }, (_, i) => Math.sin(seed + i) * 1e3) }],
    ['head/g', { shape: [2], data: Float32Array.of(-0, 1e-38) }],
  ]);
}

function checkpointAt(iteration: number): Checkpoint {
  return {
    iteration,
    learningRate: 5e-4,
    rngState: [1, 2, 3, 4294967295],
    config,
    weights: tensors(iteration),
    optimizer: { step: iteration, firstMoments: tensors(iteration + 100), secondMoments: tensors(iteration + 200), hyperparameters: PAPER_ADAM },
  };
}

const freshRunDir = () => mkdtemp(join(tmpdir(), 'wdsr-checkpoint-'));

describe('tensor file', () => {
  it('stores float32 little-endian, back to back, at the recorded offsets', () => {
    const { bytes, entries } = packTensors([['weights', new Map([['x', { shape: [2], data: Float32Array.of(1, -2.5) }]])]]);
    expect(entries).toEqual([{ group: 'weights', name: 'x', shape: [2], offset: 0, length: 2 }]);
    expect([...bytes]).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0]);
  });

  it('round-trips every value bit for bit, per group', () => {
    const weights = tensors(1);
    const moments = tensors(2);
    const { bytes, entries } = packTensors([
      ['weights', weights],
      ['adam/m', moments],
    ]);
    expect(unpackGroup(bytes, entries, 'weights')).toEqual(weights);
    expect(unpackGroup(bytes, entries, 'adam/m')).toEqual(moments);
    expect(Object.is(unpackGroup(bytes, entries, 'weights').get('head/g')!.data[0], -0)).toBe(true);
  });

  it('rejects an index that points outside the file', () => {
    const { bytes, entries } = packTensors([['weights', tensors(1)]]);
    expect(() => unpackGroup(bytes.subarray(0, 100), entries, 'weights')).toThrow(/head\/v lies outside the 100-byte tensor file/);
  });
});

describe('saveCheckpoint / loadCheckpoint', () => {
  it('restores everything a resume needs', async () => {
    const runDir = await freshRunDir();
    const dir = await saveCheckpoint(runDir, checkpointAt(7), 3);
    expect(dir).toBe(join(runDir, 'checkpoints', '00000007'));
    expect(await readdir(dir)).toEqual(['checkpoint.json', 'weights.bin']);
    const loaded = await loadCheckpoint(dir);
    expect(loaded).toEqual(checkpointAt(7));
  });

  it('documents the layout in a readable manifest', async () => {
    const runDir = await freshRunDir();
    const manifest = JSON.parse(await readFile(join(await saveCheckpoint(runDir, checkpointAt(2), 3), 'checkpoint.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'wdsr-edge-checkpoint',
      version: 1,
      iteration: 2,
      optimizer: { name: 'adam', step: 2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    });
    expect(manifest.tensors.map((t: { group: string; name: string }) => `${t.group}:${t.name}`)).toEqual([
      'weights:head/v',
      'weights:head/g',
      'adam/m:head/v',
      'adam/m:head/g',
      'adam/v:head/v',
      'adam/v:head/g',
    ]);
  });

  it('keeps only the newest checkpoints', async () => {
    const runDir = await freshRunDir();
    for (const iteration of [1, 2, 3, 4]) await saveCheckpoint(runDir, checkpointAt(iteration), 2);
    expect((await listCheckpoints(runDir)).map((dir) => dir.slice(-8))).toEqual(['00000003', '00000004']);
  });

  it('treats saving an iteration already on disk as done', async () => {
    const runDir = await freshRunDir();
    const first = await saveCheckpoint(runDir, checkpointAt(5), 2);
    const again = await saveCheckpoint(runDir, { ...checkpointAt(5), learningRate: 1 }, 2);
    expect(again).toBe(first);
    expect((await loadCheckpoint(first)).learningRate).toBe(5e-4);
  });

  it('ignores and then clears the temporary directory of an interrupted save', async () => {
    const runDir = await freshRunDir();
    await saveCheckpoint(runDir, checkpointAt(1), 3);
    // What a kill between writing and renaming leaves behind.
    const partial = join(runDir, 'checkpoints', '.tmp-00000002-999');
    await mkdir(partial);
    await writeFile(join(partial, 'weights.bin'), new Uint8Array(10));
    expect(await latestCheckpoint(runDir)).toBe(join(runDir, 'checkpoints', '00000001'));
    await saveCheckpoint(runDir, checkpointAt(2), 3);
    expect(await readdir(join(runDir, 'checkpoints'))).toEqual(['00000001', '00000002']);
  });
});

describe('latestCheckpoint', () => {
  it('is undefined for a run without checkpoints', async () => {
    expect(await latestCheckpoint(await freshRunDir())).toBeUndefined();
  });

  it('orders by iteration, beyond the zero-padded width too', async () => {
    const runDir = await freshRunDir();
    for (const iteration of [999, 100_000_000, 1000]) await saveCheckpoint(runDir, checkpointAt(iteration), 5);
    expect(await latestCheckpoint(runDir)).toBe(join(runDir, 'checkpoints', checkpointDirName(100_000_000)));
  });
});
