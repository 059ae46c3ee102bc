import { describe, expect, it } from 'vitest';
import { MalformedImageError, UnsupportedImageError } from '../../src/codec/errors';
import { sniffFormat } from '../../src/codec/format';
import { readImageHeader } from '../../src/codec/header';
import { encodeJpeg } from '../../src/codec/jpeg';
import { encodeGreyPng, encodePalettePng, encodePng } from '../../src/codec/png';
import { createRgbaImage, type RgbaImage } from '../../src/core/image';
import { jpegFile } from './jpeg-writer';
import { avifBoxes, box } from './avif-writer';
import { nodeAvifCodec, nodeWebpCodec } from './node-codecs';
import { rawPng } from './png-writer';

const webp = nodeWebpCodec();
const avif = nodeAvifCodec();

function image(width: number, height: number, alpha = 255): RgbaImage {
  const result = createRgbaImage(width, height);
  for (let i = 0; i < result.data.length; i += 4) result.data.set([(i / 4) % 251, 90, 30, alpha], i);
  return result;
}

/** A RIFF/WEBP file holding one chunk with the given FourCC and payload. */
function webpFile(fourCC: string, payload: number[]): Uint8Array {
  const chunk = [...Buffer.from(fourCC, 'ascii'), payload.length, 0, 0, 0, ...payload];
  return new Uint8Array([...Buffer.from('RIFF', 'ascii'), 4 + chunk.length, 0, 0, 0, ...Buffer.from('WEBP', 'ascii'), ...chunk]);
}

describe('readImageHeader', () => {
  describe('reads format and size without decoding', () => {
    it.each([
      ['RGB PNG', () => encodePng(image(37, 21), true), 'png', 37, 21, false],
      ['RGBA PNG', () => encodePng(image(5, 300, 128), false), 'png', 5, 300, true],
      ['greyscale PNG', () => encodeGreyPng(image(64, 1)), 'png', 64, 1, false],
      ['palette PNG', () => encodePalettePng(createRgbaImage(9, 7)), 'png', 9, 7, true],
      ['baseline JPEG', () => encodeJpeg(image(33, 17), 80), 'jpeg', 33, 17, false],
      ['lossy WebP (VP8)', () => webp.encode(image(41, 23), 80), 'webp', 41, 23, false],
      ['WebP with alpha (VP8X)', () => webp.encode(image(19, 45, 100), 80), 'webp', 19, 45, true],
      // VP8L: signature 0x2f, then 14-bit width-1 = 99 and height-1 = 49, little-endian bit fields.
      ['lossless WebP (VP8L)', () => webpFile('VP8L', [0x2f, 99, 49 << 6, 49 >> 2, 0, 0]), 'webp', 100, 50, false],
      ['AVIF (libavif)', () => avif.encode(image(41, 23), 80), 'avif', 41, 23, true],
      ['AVIF with alpha (libavif: an auxiliary alpha item with its own ispe)', () => avif.encode(image(19, 45, 100), 80), 'avif', 19, 45, true],
      ["AVIF whose alpha item's ispe comes first", () => avifBoxes(300, 200, { alpha: { width: 150, height: 100 } }), 'avif', 300, 200, true],
      [
        'AVIF with ipma version 1 and 15-bit property indices',
        () => avifBoxes(4000, 3000, { wideIpma: true, alpha: { width: 1, height: 1 } }),
        'avif',
        4000,
        3000,
        true,
      ],
      ['AVIF with a 64-bit meta box size', () => avifBoxes(640, 480, { largeSizeMeta: true }), 'avif', 640, 480, true],
      ['AVIF branded only among the compatible brands', () => avifBoxes(7, 9, { majorBrand: 'mif1', compatibleBrands: ['mif1', 'avif'] }), 'avif', 7, 9, true],
    ] as const)('%s', async (_, make, format, width, height, mayHaveAlpha) => {
      const bytes = await make();
      expect(sniffFormat(bytes)).toBe(format);
      expect(readImageHeader(bytes)).toEqual({ format, width, height, decodesInStrips: format !== 'webp' && format !== 'avif', mayHaveAlpha });
    });
  });

  it('says which PNGs may have alpha: an alpha channel or a tRNS chunk before IDAT, and yes when the chunks before IDAT are cut off', () => {
    const rgb = encodePng(image(37, 21), true);
    expect(readImageHeader(rgb).mayHaveAlpha).toBe(false);
    // tRNS (one transparent colour for RGB: three 16-bit samples) spliced in after IHDR; its CRC is not checked here.
    const trns = [0, 0, 0, 6, ...Buffer.from('tRNS', 'ascii'), 0, 1, 0, 2, 0, 3, 0, 0, 0, 0];
    const withTrns = new Uint8Array([...rgb.subarray(0, 33), ...trns, ...rgb.subarray(33)]);
    expect(readImageHeader(withTrns).mayHaveAlpha).toBe(true);
    expect(readImageHeader(rgb.subarray(0, 33)).mayHaveAlpha).toBe(true); // a streamed source's first bytes
  });

  it('says which images decode in strips: baseline grey or YCbCr JPEG and non-interlaced PNG, not progressive or CMYK JPEG, Adam7 PNG, WebP or AVIF', async () => {
    expect(readImageHeader(jpegFile(16, 8, { components: 3 })).decodesInStrips).toBe(true);
    expect(readImageHeader(jpegFile(16, 8, { components: 3, progressive: true })).decodesInStrips).toBe(false);
    expect(readImageHeader(jpegFile(16, 8, { components: 4 })).decodesInStrips).toBe(false); // Adobe CMYK: jpeg-js, whole
    const adam7 = await rawPng(9, 7, { interlace: 1 });
    expect(readImageHeader(adam7).decodesInStrips).toBe(false);
  });

  describe('refuses what we do not decode (415)', () => {
    it.each([
      ['no bytes at all', new Uint8Array(0)],
      ['text', new TextEncoder().encode('hello, world: not an image')],
      ['GIF', new TextEncoder().encode('GIF89a\x01\x00\x01\x00')],
      ['12-bit JPEG', new Uint8Array([0xff, 0xd8, 0xff, 0xc1, 0x00, 0x0b, 12, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00])],
      ['animated WebP', webpFile('VP8X', [0x02, 0, 0, 0, 9, 0, 0, 9, 0, 0])],
      ['animated AVIF (an avis image sequence)', avifBoxes(16, 16, { majorBrand: 'avis', compatibleBrands: ['avif', 'avis', 'msf1', 'mif1', 'miaf'] })],
      ['animated AVIF named among the compatible brands', avifBoxes(16, 16, { majorBrand: 'mif1', compatibleBrands: ['avis', 'msf1'] })],
      ['HEIC (ISOBMFF, but HEVC)', avifBoxes(16, 16, { majorBrand: 'heic', compatibleBrands: ['mif1', 'heic'] })],
      ['MP4 video', new Uint8Array(box('ftyp', [...Buffer.from('isom'), 0, 0, 2, 0, ...Buffer.from('isomiso2mp41')]))],
    ])('%s', (_, bytes) => {
      expect(() => readImageHeader(bytes)).toThrow(UnsupportedImageError);
    });
  });

  describe('rejects damaged headers (422)', () => {
    it.each([
      ['PNG cut inside IHDR', async () => encodePng(image(4, 4), true).slice(0, 20)],
      [
        'PNG of zero width',
        async () => {
          const bytes = encodePng(image(4, 4), true).slice();
          bytes.set([0, 0, 0, 0], 16);
          return bytes;
        },
      ],
      ['JPEG cut before its frame header', async () => encodeJpeg(image(8, 8), 80).slice(0, 12)],
      ['JPEG with garbage after a segment', async () => new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0, 0x12, 0x34, 0x56, 0x78])],
      ['JPEG scan before frame', async () => new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 0, 0, 0, 0, 0, 0])],
      ['WebP shorter than its headers', async () => (await webp.encode(image(8, 8), 80)).slice(0, 24)],
      ['WebP VP8 without start code', async () => webpFile('VP8 ', [0, 0, 0, 1, 2, 3, 8, 0, 8, 0])],
      ['WebP with an unknown chunk', async () => webpFile('ABCD', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
      ['AVIF without a meta box', async () => new Uint8Array(box('ftyp', [...Buffer.from('avif'), 0, 0, 0, 0, ...Buffer.from('mif1')]))],
      ['AVIF without a primary item (pitm)', async () => avifBoxes(8, 8, { omit: ['pitm'] })],
      ['AVIF without item properties (iprp)', async () => avifBoxes(8, 8, { omit: ['iprp'] })],
      ['AVIF whose primary item has no ispe', async () => avifBoxes(8, 8, { omit: ['ispe'] })],
      ['AVIF whose primary item has no properties', async () => avifBoxes(8, 8, { primary: 7 })],
      ['AVIF of zero width', async () => avifBoxes(0, 8)],
      ['AVIF cut inside its meta box', async () => (await avif.encode(image(8, 8), 80)).slice(0, 120)],
    ])('%s', async (_, make) => {
      const bytes = await make();
      expect(() => readImageHeader(bytes)).toThrow(MalformedImageError);
    });
  });
});
