import { createRgbaImage, type RgbaImage } from '../../src/core/image';

/**
 * A photo-like test image, painted in code and deterministic: a smooth colour field (two octaves
 * of value noise, like sky and terrain), mid-frequency texture (foliage, fabric), hard-edged
 * objects (discs, a horizon) and a per-pixel grain, so that JPEG, PNG and WebP compress it about
 * as they compress photographs and the model has edges and texture to work on. Written straight
 * into the raster, without a call per pixel: a 24-megapixel image takes a few seconds in Node.
 * `translucent` varies alpha smoothly from 96 to 255 (the alpha path of the pipeline).
 *
 * @example
 * const image = paintPhoto(6000, 4000, { translucent: false }); // 96 MB of RGBA
 */
export function paintPhoto(
  width: number,
  height: number,
  options: { readonly translucent: boolean; readonly seed?: number; readonly grain?: number },
): RgbaImage {
  const image = createRgbaImage(width, height);
  const { data } = image;
  const seed = options.seed ?? 1;
  const grain = options.grain ?? PHOTO_GRAIN;
  const large = new ValueNoise(Math.max(8, Math.round(Math.max(width, height) / 5)), seed);
  const medium = new ValueNoise(48, seed + 1);
  const fine = new ValueNoise(6, seed + 2);
  const alphaNoise = new ValueNoise(Math.max(8, Math.round(Math.max(width, height) / 8)), seed + 3);
  const discs = [0.2, 0.55, 0.8].map((f, i) => ({
    cx: width * f,
    cy: height * (0.35 + 0.2 * i),
    r: Math.min(width, height) * (0.08 + 0.04 * i),
    colour: DISC_COLOURS[i]!,
  }));
  const horizon = (x: number) => height * (0.6 + 0.05 * Math.sin((x / width) * 6.2 + seed));
  for (let y = 0; y < height; y++) {
    const row = y * width * 4;
    for (let x = 0; x < width; x++) {
      const l = large.at(x, y);
      const m = medium.at(x, y);
      const f = fine.at(x, y);
      // Sky above the horizon, ground below: different palettes, a hard edge between them.
      const ground = y > horizon(x);
      let r = ground ? 70 + 90 * l + 50 * m : 120 + 100 * l - 20 * m;
      let g = ground ? 90 + 70 * m + 40 * l : 150 + 80 * l;
      let b = ground ? 40 + 50 * l : 200 + 50 * l - 30 * m;
      const texture = ground ? 36 * (f - 0.5) + 20 * (m - 0.5) : 8 * (f - 0.5);
      r += texture;
      g += texture;
      b += texture * 0.6;
      for (const disc of discs) {
        const d2 = (x - disc.cx) ** 2 + (y - disc.cy) ** 2;
        if (d2 <= disc.r * disc.r) {
          const shade = 0.65 + 0.35 * (1 - d2 / (disc.r * disc.r));
          r = disc.colour[0] * shade + 12 * (f - 0.5);
          g = disc.colour[1] * shade + 12 * (f - 0.5);
          b = disc.colour[2] * shade + 12 * (f - 0.5);
        }
      }
      const n = (hash(x, y, seed) - 0.5) * grain;
      const at = row + x * 4;
      data[at] = clamp(r + n);
      data[at + 1] = clamp(g + n);
      data[at + 2] = clamp(b + n);
      data[at + 3] = options.translucent ? clamp(96 + 159 * alphaNoise.at(x, y)) : 255;
    }
  }
  return image;
}

/** Peak-to-peak per-pixel grain of {@link paintPhoto}: sized so a 24 MP opaque PNG stays under the 32 MiB source limit. */
const PHOTO_GRAIN = 10;

const DISC_COLOURS: readonly (readonly [number, number, number])[] = [
  [230, 190, 40],
  [190, 40, 50],
  [40, 80, 180],
];

function clamp(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
}

/** A deterministic value in [0, 1) for integer coordinates. */
function hash(x: number, y: number, seed: number): number {
  let h = Math.imul(x, 374761393) ^ Math.imul(y, 668265263) ^ Math.imul(seed, 2246822519);
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Value noise on a square lattice of `cell` pixels, smoothstep-interpolated: values in [0, 1). */
class ValueNoise {
  constructor(
    readonly cell: number,
    readonly seed: number,
  ) {}

  at(x: number, y: number): number {
    const gx = x / this.cell;
    const gy = y / this.cell;
    const x0 = Math.floor(gx);
    const y0 = Math.floor(gy);
    const tx = smooth(gx - x0);
    const ty = smooth(gy - y0);
    const a = hash(x0, y0, this.seed);
    const b = hash(x0 + 1, y0, this.seed);
    const c = hash(x0, y0 + 1, this.seed);
    const d = hash(x0 + 1, y0 + 1, this.seed);
    return a + (b - a) * tx + (c - a) * ty + (a - b - c + d) * tx * ty;
  }
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}
