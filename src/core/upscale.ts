import { createRgbaImage, isOpaque, type RgbaImage } from './image';
import { imresizeUint8 } from './imresize';
import type { ModelRunner } from './model-runner';
import { readPlanar, writePlanar } from './planar';
import { planTiles } from './tiling';

export interface UpscaleOptions {
  /** Largest source-pixel edge of a tile's kept window; bounds the runtime's working memory. */
  readonly tileSize: number;
  /** Checked before every tile; an aborted signal stops the work with its reason. */
  readonly signal?: AbortSignal;
  /**
   * Awaited before every tile (`done` tiles of `total` finished): progress reporting, and the host's
   * chance to yield to its event loop so that timers, such as a deadline's, can fire mid-inference.
   */
  readonly beforeTile?: (done: number, total: number) => Promise<void> | void;
}

/**
 * Super-resolves an RGBA image by the runner's scale: colour through the model, tile by tile with
 * an overlap of the model's receptive field (so the result equals whole-image inference), and
 * alpha, which the model does not see, by bicubic resize. Opaque images stay exactly opaque.
 *
 * @example
 * const big = await upscaleImage(image, runner, { tileSize: 128 });
 * big.width === image.width * runner.model.scale; // true
 */
export async function upscaleImage(image: RgbaImage, runner: ModelRunner, options: UpscaleOptions): Promise<RgbaImage> {
  const { scale, receptiveField, input, output } = runner.model;
  const result = createRgbaImage(image.width * scale, image.height * scale);
  const tiles = planTiles(image.width, image.height, { tileSize: options.tileSize, overlap: receptiveField });
  for (const [done, tile] of tiles.entries()) {
    await options.beforeTile?.(done, tiles.length);
    options.signal?.throwIfAborted();
    const sr = await runner.run(readPlanar(image, tile.read, input.range));
    if (sr.width !== tile.read.width * scale || sr.height !== tile.read.height * scale) {
      throw new Error(`model ${runner.model.id} returned ${sr.width}x${sr.height} for a ${tile.read.width}x${tile.read.height} input at scale ${scale}`);
    }
    const keepInRead = {
      x: (tile.keep.x - tile.read.x) * scale,
      y: (tile.keep.y - tile.read.y) * scale,
      width: tile.keep.width * scale,
      height: tile.keep.height * scale,
    };
    writePlanar(sr, keepInRead, result, tile.keep.x * scale, tile.keep.y * scale, output.range);
  }
  if (isOpaque(image)) fillAlpha(result, 255);
  else copyAlpha(resizeAlpha(image, result.width, result.height), result);
  return result;
}

function resizeAlpha(image: RgbaImage, width: number, height: number): Uint8Array {
  const alpha = new Uint8Array(image.width * image.height);
  for (let p = 0; p < alpha.length; p++) alpha[p] = image.data[p * 4 + 3]!;
  return imresizeUint8({ width: image.width, height: image.height, channels: 1, data: alpha }, width, height).data;
}

function copyAlpha(alpha: Uint8Array, image: RgbaImage): void {
  for (let p = 0; p < alpha.length; p++) image.data[p * 4 + 3] = alpha[p]!;
}

function fillAlpha(image: RgbaImage, value: number): void {
  for (let i = 3; i < image.data.length; i += 4) image.data[i] = value;
}
