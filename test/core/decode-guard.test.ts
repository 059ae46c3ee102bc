import { describe, expect, it } from 'vitest';
import { MalformedImageError } from '../../src/codec/errors';
import { readImageHeader } from '../../src/codec/header';
import { decodeJpeg, encodeJpeg } from '../../src/codec/jpeg';
import { decodePng } from '../../src/codec/png';
import { checkDecodeCost, DecodeCostError, MAX_JPEG_SCANS } from '../../src/codec/decode-guard';
import { createRgbaImage } from '../../src/core/image';
import { countJpegScans } from '../../src/codec/jpeg-scans';
import { MAX_ICC_PROFILE_BYTES } from '../../src/codec/png-guard';
import { jpegFile, segment } from './jpeg-writer';
import { deflate, ihdr, pngFile, rawPng } from './png-writer';

const check = (bytes: Uint8Array<ArrayBuffer>) => checkDecodeCost(bytes, readImageHeader(bytes));
const iend = { type: 'IEND', data: new Uint8Array(0) };

describe('checkDecodeCost for PNG', () => {
  it.each([
    ['8-bit RGB', { colourType: 2 }],
    ['8-bit RGBA, Adam7-interlaced', { colourType: 6, interlace: 1 }],
    ['16-bit grey+alpha', { colourType: 4, depth: 16 }],
    ['16-bit RGB, interlaced', { colourType: 2, depth: 16, interlace: 1 }],
    ['8-bit grey, interlaced, smaller than one Adam7 block', { colourType: 0, interlace: 1, width: 3, height: 2 }],
  ] as const)('passes an honest %s PNG, which then decodes', async (_, options) => {
    const { width = 21, height = 13, ...rest } = options as { width?: number; height?: number; colourType: number; depth?: 8 | 16; interlace?: 0 | 1 };
    const bytes = await rawPng(width, height, rest);
    await expect(check(bytes)).resolves.toBeUndefined();
    expect(decodePng(bytes)).toMatchObject({ width, height });
  });

  it('rejects image data that inflates past its header (a decompression bomb) without inflating it all', async () => {
    // 64 MiB of zeros deflate to ~64 KB; the header allows 16 * (1 + 16 * 3) = 784 bytes. The
    // stream's last byte (its Adler-32) is damaged: inflating it all would end in a checksum error,
    // which the guard leaves to the decoder, so the bomb verdict shows that it stopped early.
    const data = await deflate(new Uint8Array(64 << 20));
    data[data.length - 1]! ^= 0xff;
    const bomb = pngFile([ihdr(16, 16, 8, 2), { type: 'IDAT', data }, iend]);
    expect(bomb.length).toBeLessThan(100_000);
    await expect(check(bomb)).rejects.toThrow(new MalformedImageError('PNG image data inflates past the 784 bytes its header allows'));
  });

  it('rejects a colour profile that inflates past the limit, and passes a normal one', async () => {
    const profile = (bytes: number) =>
      deflate(new Uint8Array(bytes)).then((data) => ({ type: 'iCCP', data: new Uint8Array([...'icc'].map((c) => c.charCodeAt(0)).concat(0, 0, ...data)) }));
    await expect(check(await rawPng(8, 8, { before: [await profile(MAX_ICC_PROFILE_BYTES + 1)] }))).rejects.toThrow(MalformedImageError);
    await expect(check(await rawPng(8, 8, { before: [await profile(3000)] }))).resolves.toBeUndefined();
  });

  it('rejects a chunk that runs past the end of the file', async () => {
    const bytes = await rawPng(8, 8);
    await expect(check(bytes.slice(0, bytes.length - 20))).rejects.toThrow('runs past the end of the file');
  });
});

describe('countJpegScans and the scan limit', () => {
  it('counts one scan in a baseline JPEG from our encoder', () => {
    const image = createRgbaImage(20, 12);
    image.data.fill(200);
    expect(countJpegScans(encodeJpeg(image, 80))).toBe(1);
  });

  it.each([
    ['grey', 1],
    ['YCbCr', 3],
    ['Adobe CMYK', 4],
  ] as const)('the test writer makes a decodable %s JPEG, baseline and progressive', (_, components) => {
    for (const progressive of [false, true]) {
      const bytes = jpegFile(20, 12, { components, progressive });
      expect(countJpegScans(bytes)).toBe(1);
      expect(decodeJpeg(bytes, 1)).toMatchObject({ width: 20, height: 12 });
    }
  });

  it('steps over segment payloads, such as an EXIF thumbnail with its own scan', () => {
    const thumbnail = jpegFile(8, 8, { components: 3 });
    const exif = segment(0xe1, [...thumbnail]);
    expect(countJpegScans(jpegFile(16, 16, { components: 3, segments: [exif] }))).toBe(1);
  });

  it(`passes ${MAX_JPEG_SCANS} scans and refuses one more before decoding`, async () => {
    await expect(check(jpegFile(16, 16, { components: 3, progressive: true, extraScans: MAX_JPEG_SCANS - 1 }))).resolves.toBeUndefined();
    const hostile = jpegFile(16, 16, { components: 3, progressive: true, extraScans: MAX_JPEG_SCANS });
    expect(countJpegScans(hostile)).toBe(MAX_JPEG_SCANS + 1);
    await expect(check(hostile)).rejects.toThrow(DecodeCostError);
  });

  it('counts the scans a truncated file has', () => {
    const bytes = jpegFile(16, 16, { components: 3, progressive: true, extraScans: 4 });
    expect(countJpegScans(bytes.slice(0, bytes.length - 10))).toBe(5);
    expect(countJpegScans(bytes.slice(0, 30))).toBe(0);
  });
});
