import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bicubicUpscaler } from '../../training/eval/bicubic';
import { evaluateDirectory } from '../../training/eval/evaluate';

// The shared datasets sit beside the repository (see /work/shared/datasets/README.md).
const SET5 = fileURLToPath(new URL('../../../shared/datasets/Set5/HR', import.meta.url));

describe('bicubic baseline on Set5 x2', () => {
  it('reproduces the published 33.66 dB / 0.9299 within 0.05 dB / 0.001', async () => {
    const result = await evaluateDirectory(SET5, 2, bicubicUpscaler(2));
    expect(result.set).toBe('Set5');
    expect(result.images.map((image) => image.name)).toEqual(['baby.png', 'bird.png', 'butterfly.png', 'head.png', 'woman.png']);
    expect(Math.abs(result.psnr - 33.66)).toBeLessThan(0.05);
    expect(Math.abs(result.ssim - 0.9299)).toBeLessThan(0.001);
  });
});
