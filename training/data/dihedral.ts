/**
 * The 8 symmetries of the square, as the training patches are augmented with them and the
 * self-ensemble evaluation averages over them: an optional transpose (a 90-degree rotation with a
 * flip), then flips of the result.
 */
export interface Dihedral {
  readonly transpose: boolean;
  readonly flipX: boolean;
  readonly flipY: boolean;
}

/** All 8, the identity first. */
export const DIHEDRAL_GROUP: readonly Dihedral[] = [false, true].flatMap((transpose) =>
  [false, true].flatMap((flipY) => [false, true].map((flipX) => ({ transpose, flipX, flipY }))),
);

/**
 * Where pixel (x, y) of the transformed image comes from in a `width` x `height` source (the
 * transformed image is `height` x `width` when `transform.transpose`).
 *
 * @example
 * dihedralSource({ transpose: false, flipX: true, flipY: false }, 0, 0, 5, 3); // [4, 0]
 */
export function dihedralSource(transform: Dihedral, x: number, y: number, width: number, height: number): readonly [number, number] {
  let sx = transform.transpose ? y : x;
  let sy = transform.transpose ? x : y;
  if (transform.flipX) sx = width - 1 - sx;
  if (transform.flipY) sy = height - 1 - sy;
  return [sx, sy];
}

/**
 * The inverse transform: the one that maps `transform`'s output back onto its input. Flips are
 * their own inverses; with a transpose, the flips trade axes.
 */
export function inverseDihedral(transform: Dihedral): Dihedral {
  return transform.transpose ? { transpose: true, flipX: transform.flipY, flipY: transform.flipX } : transform;
}

/** An interleaved image of `channels` values per pixel, transformed (a fresh array). */
export function transformImage(
  image: { readonly width: number; readonly height: number; readonly data: Float32Array },
  channels: number,
  transform: Dihedral,
): { width: number; height: number; data: Float32Array } {
  const { width, height, data } = image;
  const [outWidth, outHeight] = transform.transpose ? [height, width] : [width, height];
  const out = new Float32Array(data.length);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const [sx, sy] = dihedralSource(transform, x, y, width, height);
      const from = (sy * width + sx) * channels;
      const to = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = data[from + c]!;
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}
