/** An axis-aligned pixel rectangle; `x`/`y` is its top-left corner. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * One unit of tiled inference, in source (low-resolution) pixel coordinates.
 * The model reads `read`; only the upscaled pixels of `keep` are written to the output.
 */
export interface Tile {
  /** `keep` grown by the overlap on each side and clipped to the image. */
  readonly read: Rect;
  /** This tile's share of the image; the keep windows of a plan partition the image exactly. */
  readonly keep: Rect;
}

/**
 * Inference tile edge, in source pixels, by model scale; `default` for the scales not named. Wider
 * models keep more activations per tile pixel, and onnxruntime's memory never shrinks, so the
 * wider x3 and x4 models get smaller tiles (docs/benchmarks.md, "Tiles by scale").
 */
export interface TileSizes {
  readonly default: number;
  readonly [scale: number]: number;
}

/**
 * The tile edge for a model of `scale`.
 *
 * @example
 * tileSizeFor({ default: 128, 3: 96 }, 3); // 96
 * tileSizeFor({ default: 128, 3: 96 }, 2); // 128
 */
export function tileSizeFor(sizes: TileSizes, scale: number): number {
  return sizes[scale] ?? sizes.default;
}

export interface TilePlanOptions {
  /** Largest keep window edge, in source pixels. */
  readonly tileSize: number;
  /**
   * Context read on each side of a keep window. With an overlap at least the model's
   * receptive field, every kept output pixel sees the same inputs as in whole-image
   * inference, so tiling changes nothing but the memory footprint.
   */
  readonly overlap: number;
}

/**
 * Splits a `width` x `height` image into tiles, row by row. Tiles along an axis are balanced
 * (their sizes differ by at most one pixel) so no sliver tile pays a full overlap for a few pixels.
 *
 * @example
 * planTiles(100, 50, { tileSize: 64, overlap: 8 });
 * // two tiles: keep x 0..49 and 50..99 (full height); read x 0..57 and 42..99
 */
export function planTiles(width: number, height: number, options: TilePlanOptions): Tile[] {
  const { tileSize, overlap } = options;
  for (const [name, value, min] of [
    ['width', width, 1],
    ['height', height, 1],
    ['tileSize', tileSize, 1],
    ['overlap', overlap, 0],
  ] as const) {
    if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  }
  const columns = splitAxis(width, tileSize);
  const rows = splitAxis(height, tileSize);
  const tiles: Tile[] = [];
  for (const row of rows) {
    for (const column of columns) {
      const keep: Rect = { x: column.start, y: row.start, width: column.length, height: row.length };
      const x0 = Math.max(0, keep.x - overlap);
      const y0 = Math.max(0, keep.y - overlap);
      const x1 = Math.min(width, keep.x + keep.width + overlap);
      const y1 = Math.min(height, keep.y + keep.height + overlap);
      tiles.push({ keep, read: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } });
    }
  }
  return tiles;
}

interface Span {
  readonly start: number;
  readonly length: number;
}

/** Cuts `length` into the fewest spans of at most `maxSpan`, as equal as integers allow. */
function splitAxis(length: number, maxSpan: number): Span[] {
  const count = Math.ceil(length / maxSpan);
  const base = Math.floor(length / count);
  const longer = length % count; // the first `longer` spans get one extra pixel
  const spans: Span[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const spanLength = base + (i < longer ? 1 : 0);
    spans.push({ start, length: spanLength });
    start += spanLength;
  }
  return spans;
}
