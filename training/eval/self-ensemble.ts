import { DIHEDRAL_GROUP, inverseDihedral, transformImage } from '../data/dihedral';
import type { Upscaler } from '../metrics/evaluate';
import type { FloatImage } from '../metrics/float-image';

/**
 * The geometric self-ensemble of EDSR and the WDSR paper (their "+" rows): the LR image is upscaled
 * under each of the 8 flips/rotations, each output is mapped back, and the 8 are averaged before
 * the 8-bit rounding. It costs 8 inferences per image, so it is measured as a curiosity (issue #20),
 * never served.
 *
 * @example
 * const report = await evaluateSets(dirs, 2, 'model.onnx (self-ensemble x8)', selfEnsemble(upscaler));
 */
export function selfEnsemble(upscaler: Upscaler): Upscaler {
  return async (lr: FloatImage) => {
    // Summed in float64: eight float32 values add up exactly, so an upscaler the flips do not change is returned as it was.
    let sum: Float64Array | undefined;
    let size: { width: number; height: number } | undefined;
    for (const transform of DIHEDRAL_GROUP) {
      const output = transformImage(await upscaler(transformImage(lr, 3, transform)), 3, inverseDihedral(transform));
      size ??= { width: output.width, height: output.height };
      if (output.width !== size.width || output.height !== size.height)
        throw new Error(
          `self-ensemble: the upscaler's outputs differ in size under the flips (${output.width}x${output.height}, ${size.width}x${size.height})`,
        );
      sum ??= new Float64Array(output.data.length);
      for (let i = 0; i < sum.length; i++) sum[i]! += output.data[i]!;
    }
    const data = Float32Array.from(sum!, (value) => value / DIHEDRAL_GROUP.length);
    return { ...size!, data };
  };
}
