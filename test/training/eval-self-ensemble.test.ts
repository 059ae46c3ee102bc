import { describe, expect, it } from 'vitest';
import { DIHEDRAL_GROUP, dihedralSource, inverseDihedral, transformImage } from '../../training/data/dihedral';
import { parseEvalArgs } from '../../training/eval/args';
import { selfEnsemble } from '../../training/eval/self-ensemble';
import type { FloatImage } from '../../training/metrics/float-image';

/** A 3x2 RGB image whose every value is distinct. */
const image = (): FloatImage => ({ width: 3, height: 2, data: Float32Array.from({ length: 3 * 2 * 3 }, (_, i) => i / 100) });

/** Nearest-neighbour x2: the same under every flip and rotation. */
async function nearest(lr: FloatImage): Promise<FloatImage> {
  const width = lr.width * 2;
  const height = lr.height * 2;
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = lr.data[((y >> 1) * lr.width + (x >> 1)) * 3 + c]!;
  return { width, height, data };
}

describe('the 8 flips/rotations', () => {
  it('are 8 distinct transforms, the identity first', () => {
    expect(DIHEDRAL_GROUP).toHaveLength(8);
    expect(new Set(DIHEDRAL_GROUP.map((t) => JSON.stringify(transformImage(image(), 3, t)))).size).toBe(8);
    expect(transformImage(image(), 3, DIHEDRAL_GROUP[0]!)).toEqual(image());
  });

  it.each(DIHEDRAL_GROUP.map((t) => [JSON.stringify(t), t] as const))('%s: its inverse maps a non-square image back', (_, transform) => {
    const there = transformImage(image(), 3, transform);
    expect([there.width, there.height]).toEqual(transform.transpose ? [2, 3] : [3, 2]);
    expect(transformImage(there, 3, inverseDihedral(transform))).toEqual(image());
  });

  it('maps coordinates as the training patches always have been (transpose, then flips)', () => {
    expect(dihedralSource({ transpose: false, flipX: true, flipY: false }, 0, 0, 5, 3)).toEqual([4, 0]);
    expect(dihedralSource({ transpose: true, flipX: false, flipY: false }, 2, 1, 5, 3)).toEqual([1, 2]);
    expect(dihedralSource({ transpose: true, flipX: true, flipY: true }, 2, 1, 5, 3)).toEqual([3, 0]);
  });
});

describe('selfEnsemble', () => {
  it('changes nothing for an upscaler that is the same under every flip', async () => {
    expect(await selfEnsemble(nearest)(image())).toEqual(await nearest(image()));
  });

  it("averages the 8 outputs, each mapped back: an upscaler that adds 1 at its output's top-left pixel", async () => {
    const marked = async (lr: FloatImage) => {
      const out = await nearest(lr);
      out.data[0]! += 1;
      out.data[1]! += 1;
      out.data[2]! += 1;
      return out;
    };
    const expected = await nearest(image());
    // The marked pixel lands on each corner of the 6x4 output twice (two of the 8 transforms per corner).
    for (const [x, y] of [
      [0, 0],
      [5, 0],
      [0, 3],
      [5, 3],
    ] as const)
      for (let c = 0; c < 3; c++) expected.data[(y * 6 + x) * 3 + c]! += 2 / 8;
    const actual = await selfEnsemble(marked)(image());
    expect(Math.max(...actual.data.map((v, i) => Math.abs(v - expected.data[i]!)))).toBeLessThan(1e-6);
  });

  it('is asked for on the eval command line, and refused for bicubic', () => {
    const base = ['--scale', '2', '--data', 'Set5/HR'];
    expect(parseEvalArgs([...base, '--model', 'm.onnx', '--self-ensemble']).selfEnsemble).toBe(true);
    expect(parseEvalArgs([...base, '--model', 'm.onnx']).selfEnsemble).toBe(false);
    expect(() => parseEvalArgs([...base, '--model', 'bicubic', '--self-ensemble'])).toThrow(/needs a model/);
  });
});
