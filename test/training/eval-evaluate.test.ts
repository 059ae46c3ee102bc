import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/codec/png';
import { createRgbaImage } from '../../src/core/image';
import { bicubicUpscaler } from '../../training/eval/bicubic';
import { evaluateDirectory, setName, type FloatImage, type Upscaler } from '../../training/metrics/evaluate';
import { evaluateSets, type EvalProgress } from '../../training/eval/sets';

/** Nearest-neighbour enlargement, shifted by `offset` levels: a controllable upscaler. */
function nearestPlus(scale: number, offset: number): Upscaler {
  return async (lr: FloatImage) => {
    const width = lr.width * scale;
    const height = lr.height * scale;
    const data = new Float32Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) {
          data[(y * width + x) * 3 + c] = lr.data[(Math.floor(y / scale) * lr.width + Math.floor(x / scale)) * 3 + c]! + offset / 255;
        }
      }
    }
    return { width, height, data };
  };
}

describe('evaluateDirectory', () => {
  let root: string;
  const flatDir = (): string => join(root, 'Flat', 'HR');
  const greyDir = (): string => join(root, 'Grey');
  const rgbGreyDir = (): string => join(root, 'RgbGrey');

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'wdsr-eval-'));
    await Promise.all([flatDir(), greyDir(), rgbGreyDir()].map((dir) => mkdir(dir, { recursive: true })));
    // 27x25 mod-crops to 26x24 at x2; flat colours survive bicubic exactly.
    const flat = createRgbaImage(27, 25);
    for (let p = 0; p < 27 * 25; p++) flat.data.set([200, 100, 50, 255], p * 4);
    await writeFile(join(flatDir(), 'flat.png'), encodePng(flat, true));
    // The same flat grey 120, once stored as one grey channel and once as RGB.
    await writeFile(join(greyDir(), 'g.png'), encode({ width: 24, height: 24, data: new Uint8Array(576).fill(120), channels: 1, depth: 8 }));
    const rgbGrey = createRgbaImage(24, 24);
    rgbGrey.data.fill(120);
    for (let i = 3; i < rgbGrey.data.length; i += 4) rgbGrey.data[i] = 255;
    await writeFile(join(rgbGreyDir(), 'g.png'), encodePng(rgbGrey, true));
  });
  afterAll(() => rm(root, { recursive: true }));

  it('scores a perfect reconstruction Infinity dB and SSIM 1, named after the set folder', async () => {
    const result = await evaluateDirectory(flatDir(), 2, bicubicUpscaler(2));
    expect(result).toEqual({ set: 'Flat', psnr: Infinity, ssim: 1, images: [{ name: 'flat.png', psnr: Infinity, ssim: 1 }] });
  });

  it('scores RGB files on Y and single-channel files on their grey values', async () => {
    // Every output pixel is 3 levels too bright: Y moves by 3 * 219 / 255, grey by 3.
    const rgb = await evaluateDirectory(rgbGreyDir(), 2, nearestPlus(2, 3));
    const grey = await evaluateDirectory(greyDir(), 2, nearestPlus(2, 3));
    expect(rgb.psnr).toBeCloseTo(20 * Math.log10(255 / ((3 * 219) / 255)), 10);
    expect(grey.psnr).toBeCloseTo(20 * Math.log10(255 / 3), 10);
  });

  it('rounds the model output to uint8 before scoring', async () => {
    // +0.4 levels rounds away; +0.6 becomes a full level.
    expect((await evaluateDirectory(greyDir(), 2, nearestPlus(2, 0.4))).psnr).toBe(Infinity);
    expect((await evaluateDirectory(greyDir(), 2, nearestPlus(2, 0.6))).psnr).toBeCloseTo(20 * Math.log10(255), 10);
  });

  it('names the image when the upscaler returns the wrong size', async () => {
    await expect(evaluateDirectory(flatDir(), 2, nearestPlus(3, 0))).rejects.toThrow(/flat\.png: upscaler returned 39x36/);
  });
});

describe('evaluateSets', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'wdsr-sets-'));
    for (const set of ['A', 'B']) {
      await mkdir(join(root, set, 'HR'), { recursive: true });
      await writeFile(join(root, set, 'HR', 'g.png'), encode({ width: 24, height: 24, data: new Uint8Array(576).fill(90), channels: 1, depth: 8 }));
    }
  });
  afterAll(() => rm(root, { recursive: true }));

  it('scores bicubic and the model on every folder, in order, reporting progress', async () => {
    const events: Parameters<EvalProgress>[0][] = [];
    const dirs = [join(root, 'A', 'HR'), join(root, 'B', 'HR')];
    const report = await evaluateSets(dirs, 2, 'nearest+3', nearestPlus(2, 3), (event) => events.push(event));
    expect(report.scale).toBe(2);
    expect(report.model).toBe('nearest+3');
    expect(report.sets.map((set) => [set.set, set.bicubic.psnr, set.model?.psnr])).toEqual([
      ['A', Infinity, 20 * Math.log10(255 / 3)],
      ['B', Infinity, 20 * Math.log10(255 / 3)],
    ]);
    expect(events.map((event) => `${event.result.set} ${event.method}`)).toEqual(['A bicubic', 'A nearest+3', 'B bicubic', 'B nearest+3']);
  });

  it('scores bicubic alone without a model', async () => {
    const report = await evaluateSets([join(root, 'A', 'HR')], 2, 'bicubic');
    expect(report.sets[0]?.model).toBeUndefined();
  });
});

describe('setName', () => {
  it.each([
    ['../shared/datasets/Set14/HR', 'Set14'],
    ['/data/DIV2K_valid_HR', 'DIV2K_valid_HR'],
    ['/data/Urban100/HR/', 'Urban100'],
  ])('%s -> %s', (dir, name) => expect(setName(dir)).toBe(name));
});
