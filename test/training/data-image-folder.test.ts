import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeJpeg } from '../../src/codec/jpeg';
import { encodePng } from '../../src/codec/png';
import { createRgbaImage } from '../../src/core/image';
import { listImageFiles, loadImageFile } from '../../training/data/image-folder';
import { bicubicPair, modCropRgb } from '../../training/data/pairs';

describe('image folders', () => {
  let dir: string;
  const colour = createRgbaImage(5, 3);
  for (let i = 0; i < colour.data.length; i++) colour.data[i] = (i * 29) % 256;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wdsr-data-'));
    await writeFile(join(dir, 'b.png'), encodePng(colour, false));
    // One stored grey channel, like Set14's bridge.png.
    await writeFile(join(dir, 'a-grey.PNG'), encode({ width: 4, height: 2, data: Uint8Array.from([0, 10, 20, 30, 40, 50, 60, 70]), channels: 1, depth: 8 }));
    await writeFile(join(dir, 'c.jpg'), encodeJpeg(colour, 95));
    await writeFile(join(dir, 'notes.txt'), 'not an image');
    await writeFile(join(dir, 'broken.jpeg'), 'neither');
  });
  afterAll(() => rm(dir, { recursive: true }));

  it('lists PNG and JPEG files by extension, sorted', async () => {
    expect(await listImageFiles(dir)).toEqual(['a-grey.PNG', 'b.png', 'broken.jpeg', 'c.jpg']);
  });

  it('finds a set named under ../shared/datasets in the folder WDSR_DATASETS names', async () => {
    // dir plays the datasets folder: its images are the set "." of it.
    vi.stubEnv('WDSR_DATASETS', dir);
    expect(await listImageFiles('../shared/datasets')).toEqual(['a-grey.PNG', 'b.png', 'broken.jpeg', 'c.jpg']);
    expect((await loadImageFile('../shared/datasets', 'b.png')).image.data).toEqual(colour.data);
  });

  it('fails on a folder without images', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'wdsr-empty-'));
    await expect(listImageFiles(empty)).rejects.toThrow(/no PNG or JPEG/);
    await rm(empty, { recursive: true });
  });

  it('decodes PNG to RGBA and flags single-channel files', async () => {
    const png = await loadImageFile(dir, 'b.png');
    expect(png.image.data).toEqual(colour.data);
    expect(png.greyscale).toBe(false);
    const grey = await loadImageFile(dir, 'a-grey.PNG');
    expect(grey.greyscale).toBe(true);
    expect(Array.from(grey.image.data.subarray(4, 8))).toEqual([10, 10, 10, 255]);
  });

  it('decodes JPEG and reads its component count', async () => {
    const jpeg = await loadImageFile(dir, 'c.jpg');
    expect([jpeg.image.width, jpeg.image.height, jpeg.greyscale]).toEqual([5, 3, false]);
  });

  it('names the file it cannot read', async () => {
    await expect(loadImageFile(dir, 'broken.jpeg')).rejects.toThrow(/broken\.jpeg is neither PNG nor JPEG/);
  });
});

describe('modCropRgb', () => {
  const image = createRgbaImage(7, 5);
  for (let i = 0; i < image.data.length; i++) image.data[i] = i % 256;

  it('keeps the top-left multiple of the scale, RGB only', () => {
    const cropped = modCropRgb(image, 3, 'x.png');
    expect([cropped.width, cropped.height, cropped.channels]).toEqual([6, 3, 3]);
    // Pixel (5, 2) of the crop is pixel (5, 2) of the source.
    expect(Array.from(cropped.data.subarray((2 * 6 + 5) * 3, (2 * 6 + 5) * 3 + 3))).toEqual([76, 77, 78]);
  });

  it('names the file when the image is smaller than the scale', () => {
    expect(() => modCropRgb(createRgbaImage(3, 9), 4, 'tiny.png')).toThrow(/tiny\.png: 3x9 is smaller than scale 4/);
  });

  it('pairs a mod-cropped HR with its 1/scale bicubic LR', () => {
    const { hr, lr } = bicubicPair(image, 2, 'x.png');
    expect([hr.width, hr.height, lr.width, lr.height]).toEqual([6, 4, 3, 2]);
  });
});
