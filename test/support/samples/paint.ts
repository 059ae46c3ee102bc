import { createRgbaImage, type RgbaImage } from '../../../src/core/image';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphInk } from './font';

/** Straight-alpha RGBA colour, each component 0..255. */
export type Colour = readonly [number, number, number, number];

/** Samples per pixel edge for antialiased shapes (4x4 = 16 coverage samples). */
const SUPERSAMPLING = 4;

/**
 * A tiny software painter for the generated sample images: per-pixel fills, antialiased shapes and
 * bitmap text, composited with the "over" operator. Deterministic, so the committed samples can be
 * checked against the code that made them.
 *
 * @example
 * const canvas = new Canvas(64, 64).fill((x) => [x * 4, 0, 0, 255]).disc(32, 32, 20, [255, 255, 255, 255]);
 */
export class Canvas {
  readonly image: RgbaImage;

  constructor(width: number, height: number) {
    this.image = createRgbaImage(width, height);
  }

  /** Sets every pixel to `shader(x, y)` (no blending). */
  fill(shader: (x: number, y: number) => Colour): this {
    const { width, height, data } = this.image;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++)
        data.set(
          shader(x, y).map((c) => Math.round(Math.min(255, Math.max(0, c)))),
          (y * width + x) * 4,
        );
    }
    return this;
  }

  /** A filled circle centred on (`cx`, `cy`) in pixel coordinates. */
  disc(cx: number, cy: number, radius: number, colour: Colour): this {
    return this.shape(cx - radius, cy - radius, cx + radius, cy + radius, (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2, colour);
  }

  /** A ring (annulus) of the given `thickness`, outer edge at `radius`. */
  ring(cx: number, cy: number, radius: number, thickness: number, colour: Colour): this {
    const inner = (radius - thickness) ** 2;
    return this.shape(
      cx - radius,
      cy - radius,
      cx + radius,
      cy + radius,
      (x, y) => {
        const d = (x - cx) ** 2 + (y - cy) ** 2;
        return d <= radius ** 2 && d >= inner;
      },
      colour,
    );
  }

  /** A rectangle rotated by `angle` radians about its centre. */
  box(cx: number, cy: number, width: number, height: number, angle: number, colour: Colour): this {
    const reach = Math.hypot(width, height) / 2;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    return this.shape(
      cx - reach,
      cy - reach,
      cx + reach,
      cy + reach,
      (x, y) => {
        const u = (x - cx) * cos + (y - cy) * sin;
        const v = -(x - cx) * sin + (y - cy) * cos;
        return Math.abs(u) <= width / 2 && Math.abs(v) <= height / 2;
      },
      colour,
    );
  }

  /** `text` in the 5x7 sample font, each font pixel drawn as a `scale` x `scale` square. */
  text(text: string, left: number, top: number, scale: number, colour: Colour): this {
    [...text].forEach((char, i) => {
      const x0 = left + i * (GLYPH_WIDTH + 1) * scale;
      this.shape(
        x0,
        top,
        x0 + GLYPH_WIDTH * scale,
        top + GLYPH_HEIGHT * scale,
        (x, y) => {
          const column = Math.floor((x - x0) / scale);
          const row = Math.floor((y - top) / scale);
          return column >= 0 && column < GLYPH_WIDTH && row >= 0 && row < GLYPH_HEIGHT && glyphInk(char, column, row);
        },
        colour,
      );
    });
    return this;
  }

  /** Composites `colour` over the pixels of the box (x0, y0)-(x1, y1), weighted by `inside` coverage. */
  private shape(x0: number, y0: number, x1: number, y1: number, inside: (x: number, y: number) => boolean, colour: Colour): this {
    const { width, height } = this.image;
    for (let py = Math.max(0, Math.floor(y0)); py < Math.min(height, Math.ceil(y1)); py++) {
      for (let px = Math.max(0, Math.floor(x0)); px < Math.min(width, Math.ceil(x1)); px++) {
        let hits = 0;
        for (let sy = 0; sy < SUPERSAMPLING; sy++) {
          for (let sx = 0; sx < SUPERSAMPLING; sx++) {
            if (inside(px + (sx + 0.5) / SUPERSAMPLING, py + (sy + 0.5) / SUPERSAMPLING)) hits++;
          }
        }
        if (hits > 0) this.over(px, py, colour, hits / SUPERSAMPLING ** 2);
      }
    }
    return this;
  }

  /** Porter-Duff "over" with straight (non-premultiplied) alpha. */
  private over(x: number, y: number, colour: Colour, coverage: number): void {
    const i = (y * this.image.width + x) * 4;
    const data = this.image.data;
    const srcA = (colour[3] / 255) * coverage;
    const dstA = data[i + 3]! / 255;
    const outA = srcA + dstA * (1 - srcA);
    for (let c = 0; c < 3; c++) {
      data[i + c] = outA === 0 ? 0 : Math.round((colour[c]! * srcA + data[i + c]! * dstA * (1 - srcA)) / outA);
    }
    data[i + 3] = Math.round(outA * 255);
  }
}
