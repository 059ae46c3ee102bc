import { collectBands, type BandedImage, type RgbaBand } from './bands';
import { releaseBuffer } from './bytes';
import { isOpaque, type RgbaImage } from './image';
import { RowResizer } from './imresize';
import type { ModelRunner } from './model-runner';
import { readPlanar, writePlanar } from './planar';
import { planTiles, type Tile } from './tiling';
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
 * Super-resolves an RGBA image by the runner's scale, one row of tiles at a time: each finished
 * band of output rows (a tile row's height times the scale) is handed on before the next row of
 * tiles runs, so the output never exists whole. Colour goes through the model, tile by tile with
 * an overlap of the model's receptive field (so the result equals whole-image inference); alpha,
 * which the model does not see, is resized bicubically, row by row. Opaque images stay exactly
 * opaque. The band buffer is reused: consumers copy what they keep.
 *
 * @example
 * for await (const band of upscaleBands(image, runner, { tileSize: 128 }).bands) encoder.write(band);
 */
export function upscaleBands(image: RgbaImage, runner: ModelRunner, options: UpscaleOptions): BandedImage {
  const { scale } = runner.model;
  const width = image.width * scale;
  const height = image.height * scale;
  const opaque = isOpaque(image);
  const tileRows = groupRows(planTiles(image.width, image.height, { tileSize: options.tileSize, overlap: runner.model.receptiveField }));
  async function* bands(): AsyncGenerator<RgbaBand> {
    const alpha = opaque ? undefined : alphaRows(image, width, height);
    const tileInput = new Float32Array(3 * tileRows.flat().reduce((most, tile) => Math.max(most, tile.read.width * tile.read.height), 0));
    let buffer = new Uint8Array(0);
    let done = 0;
    try {
      for (const row of tileRows) {
        const y = row[0]!.keep.y * scale;
        const band = { y, width, height: row[0]!.keep.height * scale };
        if (buffer.length < width * band.height * 4) {
          releaseBuffer(buffer);
          buffer = new Uint8Array(width * band.height * 4);
        }
        const target = { width, height: band.height, data: buffer };
        for (const tile of row) {
          await options.beforeTile?.(done++, tileRows.length * row.length);
          options.signal?.throwIfAborted();
          await inferTile(image, tile, runner, target, y, tileInput);
        }
        if (alpha === undefined) fillAlpha(target, 255);
        else alpha.fill(target, y);
        yield { ...band, data: buffer.subarray(0, width * band.height * 4) };
      }
    } finally {
      // The consumer is done with the last band once it resumes (or abandons) the generator: the
      // band (5 MiB at 4096 px wide) and the tile input are freed now, not at V8's next collection.
      releaseBuffer(buffer);
      releaseBuffer(tileInput);
    }
  }
  return { width, height, opaque, bands: bands() };
}

/**
 * {@link upscaleBands} gathered into one image, for callers that need it whole (the browser
 * client, tests).
 *
 * @example
 * const big = await upscaleImage(image, runner, { tileSize: 128 });
 * big.width === image.width * runner.model.scale; // true
 */
export function upscaleImage(image: RgbaImage, runner: ModelRunner, options: UpscaleOptions): Promise<RgbaImage> {
  return collectBands(upscaleBands(image, runner, options));
}

/**
 * Runs one tile and writes its kept window into `target`, a band whose first row is output row
 * `bandY`. The tile's input goes through `tileInput`, reused for every tile, and the model's output
 * is released once copied: a 16.8 MP upscale runs 256 tiles, and their buffers, left to the
 * collector, would take most of the isolate's memory before V8 frees them.
 */
async function inferTile(image: RgbaImage, tile: Tile, runner: ModelRunner, target: RgbaImage, bandY: number, tileInput: Float32Array): Promise<void> {
  const { scale, input, output } = runner.model;
  const sr = await runner.run(readPlanar(image, tile.read, input.range, { into: tileInput }));
  if (sr.width !== tile.read.width * scale || sr.height !== tile.read.height * scale) {
    throw new Error(`model ${runner.model.id} returned ${sr.width}x${sr.height} for a ${tile.read.width}x${tile.read.height} input at scale ${scale}`);
  }
  const keepInRead = {
    x: (tile.keep.x - tile.read.x) * scale,
    y: (tile.keep.y - tile.read.y) * scale,
    width: tile.keep.width * scale,
    height: tile.keep.height * scale,
  };
  writePlanar(sr, keepInRead, target, tile.keep.x * scale, tile.keep.y * scale - bandY, output.range);
  releaseBuffer(sr.data);
}

/** The plan's tiles grouped by row (planTiles lists them row by row). */
function groupRows(tiles: readonly Tile[]): Tile[][] {
  const rows: Tile[][] = [];
  for (const tile of tiles) {
    const last = rows[rows.length - 1];
    if (last !== undefined && last[0]!.keep.y === tile.keep.y) last.push(tile);
    else rows.push([tile]);
  }
  return rows;
}

/** The source's alpha resized to the output size on demand, band by band, holding only the resize window. */
function alphaRows(image: RgbaImage, width: number, height: number): { fill(target: RgbaImage, y: number): void } {
  const resized = new Uint8Array(width * 32);
  let firstHeld = 0;
  let held = 0;
  const resizer = new RowResizer(image, { width, height }, 1, (row, y) => {
    if (held === 0) firstHeld = y;
    // Rows the current band does not take yet wait in a small queue (a push can complete several).
    if (held * width >= resized.length) throw new Error('alpha resize ran ahead of its band');
    resized.set(row, held++ * width);
  });
  const source = new Uint8Array(image.width);
  let nextSourceRow = 0;
  return {
    fill(target, y) {
      for (let row = 0; row < target.height; row++) {
        while (y + row >= firstHeld + held) {
          held = 0; // every held row has been taken: the next push starts the queue again
          for (let x = 0; x < image.width; x++) source[x] = image.data[(nextSourceRow * image.width + x) * 4 + 3]!;
          nextSourceRow++;
          resizer.push(source);
        }
        const from = (y + row - firstHeld) * width;
        for (let x = 0; x < width; x++) target.data[(row * width + x) * 4 + 3] = resized[from + x]!;
      }
    },
  };
}

function fillAlpha(image: RgbaImage, value: number): void {
  for (let i = 3; i < image.width * image.height * 4; i += 4) image.data[i] = value;
}
