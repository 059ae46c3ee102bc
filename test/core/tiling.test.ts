import { describe, expect, it } from 'vitest';
import { planTiles, type Rect } from '../../src/core/tiling';

const area = (rect: Rect) => rect.width * rect.height;
const contains = (outer: Rect, inner: Rect) =>
  inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;

describe('planTiles', () => {
  describe.each([
    // name, width, height, tileSize, overlap, columns x rows, keep widths (first row), keep heights (first column)
    ['one tile, image smaller than a tile', 50, 40, 64, 10, [1, 1], [50], [40]],
    ['exact multiple of the tile size', 128, 64, 64, 10, [2, 1], [64, 64], [64]],
    ['ragged width, balanced not sliver', 130, 64, 64, 10, [3, 1], [44, 43, 43], [64]],
    ['ragged both ways', 75, 53, 24, 10, [4, 3], [19, 19, 19, 18], [18, 18, 17]],
    ['one-pixel-wide image', 1, 300, 128, 10, [1, 3], [1], [100, 100, 100]],
    ['zero overlap', 100, 100, 50, 0, [2, 2], [50, 50], [50, 50]],
    ['overlap wider than a tile', 40, 40, 8, 20, [5, 5], [8, 8, 8, 8, 8], [8, 8, 8, 8, 8]],
  ] as const)('%s', (_, width, height, tileSize, overlap, [columns, rows], keepWidths, keepHeights) => {
    const tiles = planTiles(width, height, { tileSize, overlap });

    it('has the expected grid, row by row', () => {
      expect(tiles).toHaveLength(columns * rows);
      expect(tiles.slice(0, columns).map((tile) => tile.keep.width)).toEqual(keepWidths);
      expect(tiles.filter((_, i) => i % columns === 0).map((tile) => tile.keep.height)).toEqual(keepHeights);
    });

    it('keeps windows that partition the image exactly', () => {
      const covered = new Uint8Array(width * height);
      for (const { keep } of tiles) {
        for (let y = keep.y; y < keep.y + keep.height; y++) for (let x = keep.x; x < keep.x + keep.width; x++) covered[y * width + x]!++;
      }
      expect(covered.every((count) => count === 1)).toBe(true);
      expect(tiles.reduce((sum, tile) => sum + area(tile.keep), 0)).toBe(width * height);
    });

    it('reads each keep window grown by the overlap, clipped to the image', () => {
      for (const { keep, read } of tiles) {
        expect(contains(read, keep)).toBe(true);
        expect(contains({ x: 0, y: 0, width, height }, read)).toBe(true);
        expect(read.x).toBe(Math.max(0, keep.x - overlap));
        expect(read.y).toBe(Math.max(0, keep.y - overlap));
        expect(read.x + read.width).toBe(Math.min(width, keep.x + keep.width + overlap));
        expect(read.y + read.height).toBe(Math.min(height, keep.y + keep.height + overlap));
      }
    });
  });

  it.each([
    ['zero width', 0, 10, 8, 2],
    ['fractional height', 10, 2.5, 8, 2],
    ['zero tile size', 10, 10, 0, 2],
    ['negative overlap', 10, 10, 8, -1],
  ])('rejects %s', (_, width, height, tileSize, overlap) => {
    expect(() => planTiles(width, height, { tileSize, overlap })).toThrow(RangeError);
  });
});
