import type { PatchBatch } from '../data/sampler';

/**
 * How a batch splits over `shards` threads: contiguous runs of samples, as even as
 * possible, the larger ones first.
 *
 * @example
 * shardSizes(16, 2); // [8, 8]
 * shardSizes(16, 3); // [6, 5, 5]
 */
export function shardSizes(batchSize: number, shards: number): number[] {
  if (!Number.isInteger(shards) || shards < 1 || shards > batchSize) {
    throw new RangeError(`cannot split a batch of ${batchSize} into ${shards} shard(s)`);
  }
  const base = Math.floor(batchSize / shards);
  return Array.from({ length: shards }, (_, i) => base + (i < batchSize % shards ? 1 : 0));
}

/** The batch's samples `start` to `start + count - 1`, copied into buffers of their own (so they can be transferred). */
export function sliceBatch(batch: PatchBatch, start: number, count: number): PatchBatch {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 1 || start + count > batch.batchSize) {
    throw new RangeError(`samples ${start}..${start + count - 1} are outside a batch of ${batch.batchSize}`);
  }
  const lrSize = batch.lrPatchSize ** 2 * 3;
  const hrSize = lrSize * batch.scale ** 2;
  const { teacher } = batch;
  return {
    ...batch,
    batchSize: count,
    lr: batch.lr.slice(start * lrSize, (start + count) * lrSize),
    hr: batch.hr.slice(start * hrSize, (start + count) * hrSize),
    ...(teacher === undefined ? {} : { teacher: { ...teacher, sr: teacher.sr.slice(start * hrSize, (start + count) * hrSize) } }),
  };
}

/**
 * `sum_i weights[i] * parts[i]`, elementwise, added in the order given and rounded to
 * float32 once: the result depends only on the parts, never on which thread finished first.
 */
export function weightedSum(parts: readonly Float32Array[], weights: readonly number[]): Float32Array {
  if (parts.length === 0 || parts.length !== weights.length) throw new Error('weightedSum: one weight per part, at least one part');
  const length = parts[0]!.length;
  if (parts.some((part) => part.length !== length)) throw new Error('weightedSum: parts differ in length');
  const out = new Float32Array(length);
  for (let j = 0; j < length; j++) {
    let sum = 0;
    for (let i = 0; i < parts.length; i++) sum += weights[i]! * parts[i]![j]!;
    out[j] = sum;
  }
  return out;
}
