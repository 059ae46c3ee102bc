import { join } from 'node:path';
import type { Raster } from '../../src/core/imresize';
import { listImageFiles, loadImageFile } from './image-folder';
import { DIHEDRAL_GROUP, dihedralSource, type Dihedral } from './dihedral';
import { bicubicPair, type BicubicPair } from './pairs';
import type { Rng } from '../model/rng';

/** A training batch, NHWC RGB in [0, 1]: `lr` is batchSize x P x P x 3, `hr` is batchSize x sP x sP x 3. */
export interface PatchBatch {
  lr: Float32Array;
  hr: Float32Array;
  batchSize: number;
  lrPatchSize: number;
  scale: number;
  /** A distillation teacher's output on `lr` (laid out as `hr`), and its share of the loss (see `distillationLoss`). */
  teacher?: { readonly sr: Float32Array; readonly weight: number };
}

export interface SamplerOptions {
  readonly scale: number;
  /** HR crop side, a multiple of `scale`; defaults to 48 * scale (the paper's LR patch of 48). */
  readonly hrPatchSize?: number;
  /** false: every patch as cropped; true (the default): one of the 8 flips/rotations each. */
  readonly augment?: boolean;
}

/** A pair with the path it came from. */
export interface NamedPair extends BicubicPair {
  readonly name: string;
}

const DEFAULT_LR_PATCH_SIZE = 48;
const INV_255 = 1 / 255;

/**
 * Random aligned LR/HR patches from bicubic pairs computed once, at construction, and kept as uint8.
 * Each sample picks an image uniformly, an LR-grid-aligned crop, and one of the 8 flips/rotations,
 * all from the caller's {@link Rng}, so the same seed gives the same batches. Without augmentation
 * the flips/rotation are still drawn, then not applied: one seed picks the same images and crops
 * either way, so the two differ in the transforms alone.
 *
 * @example
 * const sampler = await PairedPatchSampler.fromDirectories(['../shared/datasets/T91/HR'], { scale: 2, hrPatchSize: 96 });
 * const batch = sampler.nextBatch(16, new Rng(1)); // lr 16x48x48x3, hr 16x96x96x3
 */
export class PairedPatchSampler {
  readonly scale: number;
  readonly hrPatchSize: number;
  readonly lrPatchSize: number;
  readonly augment: boolean;
  readonly pairs: readonly NamedPair[];
  /** Images smaller than one HR patch, left out of sampling (T91 has a 78x78 one). */
  readonly skipped: readonly string[];

  constructor(pairs: readonly NamedPair[], options: SamplerOptions) {
    const { scale } = options;
    if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`scale must be a positive integer, got ${scale}`);
    const hrPatchSize = options.hrPatchSize ?? DEFAULT_LR_PATCH_SIZE * scale;
    if (!Number.isInteger(hrPatchSize) || hrPatchSize <= 0 || hrPatchSize % scale !== 0) {
      throw new RangeError(`hrPatchSize ${hrPatchSize} must be a positive multiple of scale ${scale}`);
    }
    for (const pair of pairs) {
      if (pair.hr.width !== pair.lr.width * scale || pair.hr.height !== pair.lr.height * scale) {
        throw new RangeError(`${pair.name}: HR ${pair.hr.width}x${pair.hr.height} is not ${scale}x LR ${pair.lr.width}x${pair.lr.height}`);
      }
    }
    const fits = (pair: NamedPair): boolean => Math.min(pair.hr.width, pair.hr.height) >= hrPatchSize;
    this.scale = scale;
    this.hrPatchSize = hrPatchSize;
    this.lrPatchSize = hrPatchSize / scale;
    this.augment = options.augment ?? true;
    this.pairs = pairs.filter(fits);
    this.skipped = pairs.filter((pair) => !fits(pair)).map((pair) => pair.name);
    if (this.pairs.length === 0) throw new RangeError(`no image is at least ${hrPatchSize}x${hrPatchSize}`);
  }

  /** Loads every PNG/JPEG of the folders and degrades each once; names are `dir/file`. */
  static async fromDirectories(dirs: string[], options: SamplerOptions): Promise<PairedPatchSampler> {
    const pairs: NamedPair[] = [];
    for (const dir of dirs) {
      for (const file of await listImageFiles(dir)) {
        const { image } = await loadImageFile(dir, file);
        const name = join(dir, file);
        pairs.push({ name, ...bicubicPair(image, options.scale, name) });
      }
    }
    return new PairedPatchSampler(pairs, options);
  }

  nextBatch(batchSize: number, rng: Rng): PatchBatch {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    const { scale, lrPatchSize, hrPatchSize } = this;
    const lr = new Float32Array(batchSize * lrPatchSize * lrPatchSize * 3);
    const hr = new Float32Array(batchSize * hrPatchSize * hrPatchSize * 3);
    for (let n = 0; n < batchSize; n++) {
      const pair = this.pairs[rng.int(this.pairs.length)]!;
      const left = rng.int(pair.lr.width - lrPatchSize + 1);
      const top = rng.int(pair.lr.height - lrPatchSize + 1);
      const drawn: Dihedral = { flipX: rng.next() < 0.5, flipY: rng.next() < 0.5, transpose: rng.next() < 0.5 };
      const transform = this.augment ? drawn : IDENTITY;
      copyPatch(pair.lr, left, top, lrPatchSize, transform, lr, n * lrPatchSize * lrPatchSize * 3);
      copyPatch(pair.hr, left * scale, top * scale, hrPatchSize, transform, hr, n * hrPatchSize * hrPatchSize * 3);
    }
    return { lr, hr, batchSize, lrPatchSize, scale };
  }
}

const IDENTITY: Dihedral = DIHEDRAL_GROUP[0]!;

/**
 * Writes the transformed `size` x `size` crop at (left, top) into `out` as floats in [0, 1].
 * The transform is defined on patch coordinates, so LR and HR patches stay aligned under it.
 */
function copyPatch(src: Raster<Uint8Array>, left: number, top: number, size: number, transform: Dihedral, out: Float32Array, offset: number): void {
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const [sx, sy] = dihedralSource(transform, x, y, size, size);
      const from = ((top + sy) * src.width + left + sx) * 3;
      const to = offset + (y * size + x) * 3;
      out[to] = src.data[from]! * INV_255;
      out[to + 1] = src.data[from + 1]! * INV_255;
      out[to + 2] = src.data[from + 2]! * INV_255;
    }
  }
}
