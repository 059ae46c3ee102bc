import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/codec/png';
import { createRgbaImage, type RgbaImage } from '../../src/core/image';
import { imresizeUint8 } from '../../src/core/imresize';
import { bicubicPair } from '../../training/data/pairs';
import { Rng } from '../../training/model/rng';
import { PairedPatchSampler, type NamedPair } from '../../training/data/sampler';

/** A textured opaque image: smooth gradients plus per-pixel noise, different in each channel. */
function texturedImage(width: number, height: number, seed: number): RgbaImage {
  const image = createRgbaImage(width, height);
  const rng = new Rng(seed);
  for (let p = 0; p < width * height; p++) {
    const x = p % width;
    const y = Math.floor(p / width);
    image.data[p * 4] = (x * 5 + rng.int(40)) % 256;
    image.data[p * 4 + 1] = (y * 7 + rng.int(40)) % 256;
    image.data[p * 4 + 2] = ((x + y) * 3 + rng.int(40)) % 256;
    image.data[p * 4 + 3] = 255;
  }
  return image;
}

const pairOf = (name: string, image: RgbaImage, scale: number): NamedPair => ({ name, ...bicubicPair(image, scale, name) });

describe('PairedPatchSampler', () => {
  const scale = 2;
  const pairs = [pairOf('a', texturedImage(40, 34, 1), scale), pairOf('b', texturedImage(31, 44, 2), scale)];
  const sampler = new PairedPatchSampler(pairs, { scale, hrPatchSize: 24 });

  it('returns NHWC batches of the requested size', () => {
    const batch = sampler.nextBatch(3, new Rng(5));
    expect([batch.batchSize, batch.lrPatchSize, batch.scale]).toEqual([3, 12, 2]);
    expect(batch.lr).toHaveLength(3 * 12 * 12 * 3);
    expect(batch.hr).toHaveLength(3 * 24 * 24 * 3);
    expect(Math.max(...batch.hr)).toBeLessThanOrEqual(1);
  });

  it('gives the same batches for the same seed and different ones for another seed', () => {
    const again = new PairedPatchSampler(pairs, { scale, hrPatchSize: 24 });
    const [rngA, rngB] = [new Rng(9), new Rng(9)];
    for (let i = 0; i < 3; i++) expect(again.nextBatch(4, rngB)).toEqual(sampler.nextBatch(4, rngA));
    expect(sampler.nextBatch(4, new Rng(10)).hr).not.toEqual(sampler.nextBatch(4, new Rng(9)).hr);
  });

  it('crops LR and HR in alignment: downscaling the HR patch reproduces the LR patch inside', () => {
    const batch = sampler.nextBatch(16, new Rng(3));
    const lrSize = batch.lrPatchSize;
    const hrSize = lrSize * scale;
    // An LR pixel reads HR pixels 2i-3 .. 2i+4 at x2: the 2 outer LR pixels see past the crop.
    const margin = 2;
    const interior = (data: ArrayLike<number>): number[] => {
      const values: number[] = [];
      for (let y = margin; y < lrSize - margin; y++) {
        for (let i = (y * lrSize + margin) * 3; i < (y * lrSize + lrSize - margin) * 3; i++) values.push(data[i]!);
      }
      return values;
    };
    const orders = new Set<string>();
    for (let n = 0; n < batch.batchSize; n++) {
      const hrBytes = Uint8Array.from(batch.hr.subarray(n * hrSize * hrSize * 3, (n + 1) * hrSize * hrSize * 3), (v) => Math.round(v * 255));
      const hrPatch = { width: hrSize, height: hrSize, channels: 3, data: hrBytes };
      const lrPatch = interior(Array.from(batch.lr.subarray(n * lrSize * lrSize * 3, (n + 1) * lrSize * lrSize * 3), (v) => Math.round(v * 255)));
      // The LR was made rows first on the whole image; a transposed patch therefore matches the
      // columns-first downscale of its HR. x2 weights are k/128, so both paths are exact in float64.
      const rowsFirst = interior(imresizeUint8(hrPatch, lrSize, lrSize).data);
      const columnsFirst = interior(imresizeUint8(imresizeUint8(hrPatch, lrSize, hrSize), lrSize, lrSize).data);
      const order = lrPatch.join() === rowsFirst.join() ? 'rows' : lrPatch.join() === columnsFirst.join() ? 'columns' : 'neither';
      expect(order).not.toBe('neither');
      orders.add(order);
    }
    expect(orders).toEqual(new Set(['rows', 'columns']));
  });

  it('produces all 8 flips and rotations of a patch', () => {
    // One image exactly one patch large: the crop is fixed, only the transform varies.
    const single = new PairedPatchSampler([pairOf('only', texturedImage(16, 16, 4), scale)], { scale, hrPatchSize: 16 });
    const rng = new Rng(11);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(single.nextBatch(1, rng).hr.join(','));
    expect(seen.size).toBe(8);
  });

  it('without augmentation, gives each crop as it is', () => {
    // One image exactly one patch large: every patch is the whole image, never transformed.
    const only = pairOf('only', texturedImage(16, 16, 4), scale);
    const plain = new PairedPatchSampler([only], { scale, hrPatchSize: 16, augment: false });
    const rng = new Rng(11);
    const expected = Array.from(only.hr.data, (v) => Math.fround(v * (1 / 255)));
    for (let i = 0; i < 20; i++) expect(Array.from(plain.nextBatch(1, rng).hr)).toEqual(expected);
  });

  it('draws the same random numbers with and without augmentation: the same images and crops, untransformed', () => {
    const [withFlips, without] = [
      new PairedPatchSampler(pairs, { scale, hrPatchSize: 24 }),
      new PairedPatchSampler(pairs, { scale, hrPatchSize: 24, augment: false }),
    ];
    expect([withFlips.augment, without.augment]).toEqual([true, false]);
    const [rngA, rngB] = [new Rng(7), new Rng(7)];
    const [a, b] = [withFlips.nextBatch(8, rngA), without.nextBatch(8, rngB)];
    expect(rngB.state()).toEqual(rngA.state());
    const side = 24;
    const patch = (hr: Float32Array, n: number) => hr.subarray(n * side * side * 3, (n + 1) * side * side * 3);
    let transformed = 0;
    for (let n = 0; n < 8; n++) {
      const [flipped, asCropped] = [patch(a.hr, n), patch(b.hr, n)];
      // The augmented patch is one of the 8 flips/rotations of the unaugmented one.
      expect(dihedral(asCropped, side).some((candidate) => candidate.join() === Array.from(flipped).join())).toBe(true);
      if (Array.from(flipped).join() !== Array.from(asCropped).join()) transformed += 1;
    }
    expect(transformed).toBeGreaterThan(0);
  });

  it('leaves out images smaller than one patch and names them', () => {
    const withSmall = new PairedPatchSampler([...pairs, pairOf('small', texturedImage(20, 30, 6), scale)], { scale, hrPatchSize: 24 });
    expect(withSmall.skipped).toEqual(['small']);
    expect(withSmall.pairs.map((pair) => pair.name)).toEqual(['a', 'b']);
    expect(() => new PairedPatchSampler([pairOf('small', texturedImage(20, 30, 6), scale)], { scale, hrPatchSize: 24 })).toThrow(/no image/);
  });

  it('defaults to an LR patch of 48 and checks the patch against the scale', () => {
    expect(new PairedPatchSampler([pairOf('big', texturedImage(150, 150, 8), 3)], { scale: 3 }).hrPatchSize).toBe(144);
    expect(() => new PairedPatchSampler(pairs, { scale, hrPatchSize: 25 })).toThrow(/multiple of scale/);
  });
});

describe('PairedPatchSampler.fromDirectories', () => {
  let dir: string;
  const images = [texturedImage(30, 26, 21), texturedImage(27, 33, 22)];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wdsr-sampler-'));
    await writeFile(join(dir, 'one.png'), encodePng(images[0]!, true));
    await writeFile(join(dir, 'two.png'), encodePng(images[1]!, true));
  });
  afterAll(() => rm(dir, { recursive: true }));

  it('loads and degrades every image once, mod-cropped to the scale', async () => {
    const sampler = await PairedPatchSampler.fromDirectories([dir], { scale: 3, hrPatchSize: 12 });
    expect(sampler.pairs.map((pair) => pair.name)).toEqual([join(dir, 'one.png'), join(dir, 'two.png')]);
    const second = sampler.pairs[1]!;
    expect([second.hr.width, second.hr.height, second.lr.width, second.lr.height]).toEqual([27, 33, 9, 11]);
    expect(second.lr).toEqual(bicubicPair(images[1]!, 3, 'two.png').lr);
  });
});

/** The 8 flips/rotations of a square RGB patch (transpose or not, then flip x, flip y), as arrays. */
function dihedral(patch: Float32Array, side: number): number[][] {
  const results: number[][] = [];
  for (const transpose of [false, true]) {
    for (const flipX of [false, true]) {
      for (const flipY of [false, true]) {
        const out: number[] = [];
        for (let y = 0; y < side; y++) {
          for (let x = 0; x < side; x++) {
            let [sx, sy] = transpose ? [y, x] : [x, y];
            if (flipX) sx = side - 1 - sx;
            if (flipY) sy = side - 1 - sy;
            for (let c = 0; c < 3; c++) out.push(patch[(sy * side + sx) * 3 + c]!);
          }
        }
        results.push(out);
      }
    }
  }
  return results;
}
