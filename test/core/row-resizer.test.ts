import { describe, expect, it } from 'vitest';
import { imresizeUint8, RowResizer, type Raster } from '../../src/core/imresize';

function randomRaster(width: number, height: number, channels: number, seed: number): Raster<Uint8Array> {
  const data = new Uint8Array(width * height * channels);
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    data[i] = state >>> 24;
  }
  return { width, height, channels, data };
}

/** Every output row, pushed one input row at a time. */
function streamed(image: Raster<Uint8Array>, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * image.channels);
  const rowLength = width * image.channels;
  const emitted: number[] = [];
  const resizer = new RowResizer(image, { width, height }, image.channels, (row, y) => {
    emitted.push(y);
    out.set(row.subarray(0, rowLength), y * rowLength);
  });
  for (let y = 0; y < image.height; y++) resizer.push(image.data, y * image.width * image.channels);
  expect(emitted).toEqual(Array.from({ length: height }, (_, y) => y));
  return out;
}

describe('RowResizer', () => {
  // [in width, in height, out width, out height, channels]: both axis orders, shrink and enlarge,
  // identity axes, strong shrink (wide taps) and 1-pixel edges.
  const cases = [
    [37, 23, 11, 7, 4],
    [37, 23, 74, 46, 4],
    [20, 40, 7, 30, 3],
    [40, 20, 30, 7, 1],
    [16, 16, 16, 5, 4],
    [16, 16, 5, 16, 4],
    [301, 97, 32, 10, 4],
    [9, 1, 18, 2, 4],
    [1, 9, 1, 27, 1],
    [13, 11, 13, 11, 4],
  ] as const;
  it.each(cases)('%ix%i -> %ix%i (%i channels) equals imresizeUint8 row for row', (w, h, outW, outH, channels) => {
    const image = randomRaster(w, h, channels, w * 31 + h);
    expect(streamed(image, outW, outH)).toEqual(imresizeUint8(image, outW, outH).data);
  });

  it('emits each row as soon as the taps it reads have arrived', () => {
    const image = randomRaster(8, 64, 1, 3);
    const seen: number[] = [];
    const resizer = new RowResizer(image, { width: 8, height: 16 }, 1, (_, y) => seen.push(y));
    for (let y = 0; y < 32; y++) resizer.push(image.data, y * 8);
    // A 4x shrink reads 16 rows around each output: halfway in, the rows up to about 6 are ready, not all.
    expect(seen.length).toBeGreaterThan(4);
    expect(seen.length).toBeLessThan(10);
  });
});
