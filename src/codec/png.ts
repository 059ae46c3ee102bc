import { decode, encode } from 'fast-png';
import type { RgbaImage } from '../core/image';

/**
 * Decodes any 8- or 16-bit PNG colour type (grey, grey+alpha, RGB, RGBA, palette) to RGBA8, tRNS
 * applied (a palette's alpha, or the one transparent colour of a grey or RGB image). 16-bit samples keep their high byte, which is the correctly rounded 8-bit value
 * for samples written as `v8 * 257`.
 */
export function decodePng(bytes: Uint8Array): RgbaImage {
  const png = decode(bytes);
  const { width, height, channels, depth } = png;
  const out = new Uint8Array(width * height * 4);
  const pixels = width * height;
  if (png.palette) {
    const palette = png.palette;
    const transparency = png.transparency;
    const indices = unpackIndices(png.data as Uint8Array, width, height, depth);
    for (let p = 0; p < pixels; p++) {
      const index = indices[p]!;
      const colour = palette[index] ?? [0, 0, 0];
      out[p * 4] = colour[0]!;
      out[p * 4 + 1] = colour[1]!;
      out[p * 4 + 2] = colour[2]!;
      out[p * 4 + 3] = colour.length > 3 ? colour[3]! : transparency && index < transparency.length ? transparency[index]! : 255;
    }
    return { width, height, data: out };
  }
  const data = png.data;
  const shift = depth === 16 ? 8 : 0;
  // Grey and RGB: the one colour tRNS makes transparent, at the image's depth (PNG spec 11.3.2.1).
  const key = (channels === 1 || channels === 3) && png.transparency?.length === channels ? png.transparency : undefined;
  // fast-png expands sub-byte greyscale to one sample per byte but keeps its bit depth.
  const greyScale = depth < 8 ? 255 / ((1 << depth) - 1) : 1;
  for (let p = 0; p < pixels; p++) {
    const s = p * channels;
    const o = p * 4;
    if (channels <= 2) {
      const grey = Math.round((data[s]! >> shift) * greyScale);
      out[o] = out[o + 1] = out[o + 2] = grey;
      out[o + 3] = channels === 2 ? data[s + 1]! >> shift : data[s] === key?.[0] ? 0 : 255;
    } else {
      out[o] = data[s]! >> shift;
      out[o + 1] = data[s + 1]! >> shift;
      out[o + 2] = data[s + 2]! >> shift;
      out[o + 3] = channels === 4 ? data[s + 3]! >> shift : key && data[s] === key[0] && data[s + 1] === key[1] && data[s + 2] === key[2] ? 0 : 255;
    }
  }
  return { width, height, data: out };
}

/** Palette PNGs below 8 bits arrive packed; returns one index per pixel. */
function unpackIndices(data: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  if (depth === 8) return data;
  const indices = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = data[y * rowBytes + (bit >> 3)]!;
      indices[y * width + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return indices;
}

/** Encodes RGBA8 as PNG, dropping the alpha channel when `opaque` says it is all 255. */
export function encodePng(image: RgbaImage, opaque: boolean): Uint8Array {
  if (!opaque) return encode({ width: image.width, height: image.height, data: image.data, channels: 4, depth: 8 });
  const rgb = new Uint8Array(image.width * image.height * 3);
  for (let p = 0, q = 0; q < rgb.length; p += 4, q += 3) {
    rgb[q] = image.data[p]!;
    rgb[q + 1] = image.data[p + 1]!;
    rgb[q + 2] = image.data[p + 2]!;
  }
  return encode({ width: image.width, height: image.height, data: rgb, channels: 3, depth: 8 });
}

/**
 * Encodes the red channel of an opaque image as an 8-bit greyscale PNG (colour type 0).
 *
 * @example
 * writeFileSync('grey.png', encodeGreyPng(image)); // image with R = G = B
 */
export function encodeGreyPng(image: RgbaImage): Uint8Array {
  const grey = new Uint8Array(image.width * image.height);
  for (let p = 0; p < grey.length; p++) grey[p] = image.data[p * 4]!;
  return encode({ width: image.width, height: image.height, data: grey, channels: 1, depth: 8 });
}

/**
 * Encodes an image of at most 256 distinct RGBA colours as an 8-bit palette PNG (colour type 3,
 * with a tRNS chunk when any colour is translucent). Throws `RangeError` above 256 colours.
 *
 * @example
 * writeFileSync('flag.png', encodePalettePng(flag)); // a few flat colours
 */
export function encodePalettePng(image: RgbaImage): Uint8Array {
  const indexOf = new Map<number, number>();
  const palette: number[][] = [];
  const indices = new Uint8Array(image.width * image.height);
  const view = new DataView(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  for (let p = 0; p < indices.length; p++) {
    const rgba = view.getUint32(p * 4);
    let index = indexOf.get(rgba);
    if (index === undefined) {
      if (palette.length === 256) throw new RangeError('a palette PNG holds at most 256 colours');
      index = palette.length;
      indexOf.set(rgba, index);
      palette.push([...image.data.subarray(p * 4, p * 4 + 4)]);
    }
    indices[p] = index;
  }
  return encode({ width: image.width, height: image.height, data: indices, channels: 1, depth: 8, palette });
}
