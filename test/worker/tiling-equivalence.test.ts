import { describe, expect, it } from 'vitest';
import { planTiles } from '../../src/core/tiling';
import { upscaleImage } from '../../src/core/upscale';
import { paintedImage, withRunner } from './harness';

describe('tiled inference in workerd', () => {
  it('equals whole-image inference on an image spanning several tiles (max difference <= 1/255)', () =>
    withRunner(2, async (runner) => {
      const image = paintedImage(75, 53);
      const tileSize = 24;
      expect(planTiles(75, 53, { tileSize, overlap: runner.model.receptiveField }).length).toBe(12); // 4 x 3, ragged
      const tiled = await upscaleImage(image, runner, { tileSize });
      const whole = await upscaleImage(image, runner, { tileSize: 1024 });
      let maxDifference = 0;
      for (let i = 0; i < whole.data.length; i++) maxDifference = Math.max(maxDifference, Math.abs(tiled.data[i]! - whole.data[i]!));
      expect(maxDifference).toBeLessThanOrEqual(1);
    }));

  it('differs at the seams when the overlap is below the receptive field', () =>
    // The control: proves the test above would catch seams.
    withRunner(2, async (runner) => {
      const shortSighted = { ...runner, model: { ...runner.model, receptiveField: 2 } };
      const image = paintedImage(75, 53);
      const tiled = await upscaleImage(image, shortSighted, { tileSize: 24 });
      const whole = await upscaleImage(image, runner, { tileSize: 1024 });
      let maxDifference = 0;
      for (let i = 0; i < whole.data.length; i++) maxDifference = Math.max(maxDifference, Math.abs(tiled.data[i]! - whole.data[i]!));
      expect(maxDifference).toBeGreaterThan(1);
    }));
});
