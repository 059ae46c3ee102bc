import { expect, it } from 'vitest';
import { bicubicUpscaler } from '../../training/eval/bicubic';
import { evaluateDirectory } from '../../training/metrics/evaluate';

import { datasets, describeWith } from '../support/requirements';

const set5 = datasets('Set5');

describeWith(set5, 'bicubic baseline on Set5 x2', () => {
  it('reproduces the published 33.66 dB / 0.9299 within 0.05 dB / 0.001', async () => {
    const result = await evaluateDirectory(set5.hr('Set5'), 2, bicubicUpscaler(2));
    expect(result.set).toBe('Set5');
    expect(result.images.map((image) => image.name)).toEqual(['baby.png', 'bird.png', 'butterfly.png', 'head.png', 'woman.png']);
    expect(Math.abs(result.psnr - 33.66)).toBeLessThan(0.05);
    expect(Math.abs(result.ssim - 0.9299)).toBeLessThan(0.001);
  });
});
