import type { RgbaImage } from '../../../src/core/image';
import { Canvas, type Colour } from './paint';

/** How a sample is stored, chosen so the samples cover every decoder path the service has. */
type SampleEncoding = 'rgb-png' | 'rgba-png' | 'grey-png' | 'palette-png' | 'jpeg' | 'webp';

export interface Sample {
  /** File name under `samples/` in the static assets. */
  readonly file: string;
  readonly encoding: SampleEncoding;
  /** One line for the index page's sample picker. */
  readonly description: string;
  readonly paint: () => RgbaImage;
}

const WHITE: Colour = [255, 255, 255, 255];
const INK: Colour = [24, 28, 40, 255];

/**
 * The sample images `npm start` serves: painted by code (gradients, shapes, text-like strokes),
 * so the repository holds no third-party images. Small, so a CPU upscales each in well under a second.
 */
export const SAMPLES: readonly Sample[] = [
  {
    file: 'gradient-shapes.png',
    encoding: 'rgb-png',
    description: 'RGB PNG: colour gradient, discs, a rotated box and a ring',
    paint: () =>
      new Canvas(192, 128)
        .fill((x, y) => [40 + x, 80 + y / 2, 220 - x / 2, 255])
        .disc(52, 60, 30, [250, 200, 40, 255])
        .box(130, 70, 60, 34, 0.5, [200, 40, 60, 255])
        .ring(150, 30, 20, 4, WHITE)
        .text('WDSR-B', 20, 104, 2, INK).image,
  },
  {
    file: 'badge-alpha.png',
    encoding: 'rgba-png',
    description: 'RGBA PNG: translucent badge with soft edges on a transparent background',
    paint: () => new Canvas(128, 128).disc(64, 64, 56, [30, 120, 220, 200]).ring(64, 64, 56, 6, [255, 255, 255, 255]).text('EDGE', 29, 52, 3, WHITE).image,
  },
  {
    file: 'greyscale-text.png',
    encoding: 'grey-png',
    description: 'greyscale PNG: dark strokes of text on a light ramp',
    paint: () =>
      new Canvas(176, 96)
        .fill((x) => [200 + x / 4, 200 + x / 4, 200 + x / 4, 255])
        .text('WDSR X2', 8, 10, 3, [20, 20, 20, 255])
        .text('EDGE SR', 8, 52, 2, [90, 90, 90, 255])
        .box(150, 64, 22, 22, 0.8, [60, 60, 60, 255]).image,
  },
  {
    file: 'palette-flag.png',
    encoding: 'palette-png',
    description: 'palette PNG with a transparent frame: hard-edged stripes and a pixel-aligned square',
    paint: () =>
      new Canvas(120, 80)
        .fill((x, y) => (x < 8 || x >= 112 || y < 4 || y >= 76 ? [0, 0, 0, 0] : y < 28 ? [0, 85, 164, 255] : y < 52 ? WHITE : [239, 65, 53, 255]))
        .box(36, 40, 24, 24, 0, [250, 210, 0, 255]).image,
  },
  {
    file: 'text-card.jpg',
    encoding: 'jpeg',
    description: 'JPEG: text-like strokes on a warm gradient',
    paint: () =>
      new Canvas(192, 112)
        .fill((x, y) => [230 - y / 2, 180 + x / 8, 120 + y / 3, 255])
        .text('WDSR-B X2', 10, 12, 3, INK)
        .text('EDGE', 10, 60, 5, [150, 30, 30, 255])
        .disc(160, 80, 18, [30, 110, 60, 255]).image,
  },
  {
    file: 'shapes-alpha.webp',
    encoding: 'webp',
    description: 'WebP with alpha: overlapping translucent shapes',
    paint: () =>
      new Canvas(160, 120)
        .disc(60, 60, 42, [220, 60, 60, 180])
        .disc(100, 60, 42, [60, 160, 220, 180])
        .box(80, 60, 100, 16, -0.3, [250, 220, 60, 230])
        .text('SR', 66, 50, 3, WHITE).image,
  },
];
