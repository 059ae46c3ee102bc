import { describe, expect, it } from 'vitest';
import { readImageHeader } from '../../src/codec/header';
import { MAX_JPEG_SCANS } from '../../src/codec/decode-guard';
import { jpegFile } from '../core/jpeg-writer';
import { concat, deflate, ihdr, pngFile, rawPng, scanlines, u32 } from '../core/png-writer';
import { codecs, paintedImage, serviceApp, TestOrigin } from './harness';

const iend = { type: 'IEND', data: new Uint8Array(0) };

/** Serves `bytes` at /x and asks for `upscale=2`; returns the status, error code and elapsed time. */
async function upscaleBytes(bytes: Uint8Array<ArrayBuffer>, query = 'upscale=2') {
  const origin = new TestOrigin({ '/x': () => new Response(bytes) });
  const response = await serviceApp(origin).request(`/x?${query}`);
  if (response.status !== 200) {
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    return { status: response.status, code: error.code, message: error.message };
  }
  const out = new Uint8Array(await response.arrayBuffer());
  return { status: 200, code: 'ok', header: readImageHeader(out), image: await codecs.decode(out, readImageHeader(out)) };
}

async function webp(alpha: boolean): Promise<Uint8Array<ArrayBuffer>> {
  return codecs.encode(paintedImage(12, 10, alpha), 'webp', 80);
}

describe('limits from the header, before decoding', () => {
  it('rejects a 50000x50000 PNG of a few hundred bytes from its header, before any pixel buffer', async () => {
    const rows = new Uint8Array(1 + 50000 * 3); // one honest-looking row
    const bomb = pngFile([ihdr(50000, 50000, 8, 2), { type: 'IDAT', data: await deflate(rows) }, iend]);
    expect(bomb.length).toBeLessThan(1000);
    const result = await upscaleBytes(bomb);
    // The refusal names the header's size: it came from the header check that runs before decoding
    // (10 GB of pixels could not have been allocated in the isolate to be refused later).
    expect(result).toMatchObject({ status: 422, code: 'image_too_large', message: expect.stringContaining('50000x50000') });
  });

  it('rejects a small PNG whose image data inflates to 64 MiB (a zip bomb behind an honest header)', async () => {
    const bomb = pngFile([ihdr(16, 16, 8, 2), { type: 'IDAT', data: await deflate(new Uint8Array(64 << 20)) }, iend]);
    expect(await upscaleBytes(bomb)).toMatchObject({ status: 422, code: 'malformed_image' });
  });

  it.each([
    ['a zero-width PNG', () => pngFile([ihdr(0, 10, 8, 2), iend]), 422, 'malformed_image'],
    ['a 65535x65535 JPEG', () => patchJpegSize(jpegFile(16, 16, { components: 3 }), 65535, 65535), 422, 'image_too_large'],
    ['a zero-height JPEG', () => patchJpegSize(jpegFile(16, 16, { components: 3 }), 16, 0), 422, 'malformed_image'],
    [
      `a progressive JPEG with ${MAX_JPEG_SCANS + 1} scans (a CPU bomb)`,
      () => jpegFile(16, 16, { components: 3, progressive: true, extraScans: MAX_JPEG_SCANS }),
      422,
      'image_too_large',
    ],
    ['an animated WebP', async () => patchWebp(await webp(true), (bytes) => (bytes[20]! |= 0x02)), 415, 'unsupported_image'],
    ['a WebP canvas of 16384x16384', async () => patchWebp(await webp(true), (bytes) => bytes.set([0xff, 0x3f, 0, 0xff, 0x3f, 0], 24)), 422, 'image_too_large'],
    ['a WebP canvas smaller than its frame', async () => patchWebp(await webp(true), (bytes) => bytes.set([3, 0, 0, 3, 0, 0], 24)), 422, 'malformed_image'],
    ['a 12-bit JPEG', () => patchJpeg(jpegFile(16, 16, { components: 1 }), (bytes, sof) => (bytes[sof + 4] = 12)), 415, 'unsupported_image'],
  ] as const)('refuses %s', async (_, make, status, code) => {
    expect(await upscaleBytes(await make())).toMatchObject({ status, code });
  });
});

describe('variants that decode', () => {
  it.each([
    ['16-bit RGB PNG', () => rawPng(12, 10, { depth: 16, colourType: 2 })],
    ['16-bit grey+alpha PNG', () => rawPng(12, 10, { depth: 16, colourType: 4 })],
    ['Adam7-interlaced RGBA PNG', () => rawPng(12, 10, { colourType: 6, interlace: 1 })],
    ['greyscale JPEG', async () => jpegFile(12, 10, { components: 1 })],
    ['Adobe CMYK JPEG', async () => jpegFile(12, 10, { components: 4 })],
    ['progressive JPEG', async () => jpegFile(12, 10, { components: 3, progressive: true })],
    ['lossy WebP with alpha', () => webp(true)],
  ])('upscales a %s', async (_, make) => {
    expect(await upscaleBytes(await make())).toMatchObject({ status: 200, header: { width: 24, height: 20 } });
  });

  it('serves the default image (first frame) of an animated PNG', async () => {
    const frame = (rgb: [number, number, number]) => deflate(scanlines(8, 8, 8, 2, 0, (_x, _y, c) => rgb[c]!));
    const control = (sequence: number) => ({ type: 'fcTL', data: concat([u32(sequence, 8, 8, 0, 0), Uint8Array.of(0, 1, 0, 10, 0, 0)]) });
    const apng = pngFile([
      ihdr(8, 8, 8, 2),
      { type: 'acTL', data: u32(2, 0) },
      control(0),
      { type: 'IDAT', data: await frame([220, 20, 20]) },
      control(1),
      { type: 'fdAT', data: concat([u32(2), await frame([20, 20, 220])]) },
      iend,
    ]);
    const result = await upscaleBytes(apng);
    expect(result).toMatchObject({ status: 200, header: { width: 16, height: 16 } });
    const centre = (8 * 16 + 8) * 4;
    const [r, , b] = result.image!.data.subarray(centre, centre + 3);
    expect(r! - b!).toBeGreaterThan(150); // red, the first frame; not blue
  });
});

/** Applies `patch` to the bytes of the JPEG's frame header (`sof` = offset of its FF Cx marker). */
function patchJpeg(bytes: Uint8Array<ArrayBuffer>, patch: (bytes: Uint8Array, sof: number) => void): Uint8Array<ArrayBuffer> {
  const copy = bytes.slice();
  const sof = copy.findIndex((byte, i) => byte === 0xff && (copy[i + 1] === 0xc0 || copy[i + 1] === 0xc2));
  patch(copy, sof);
  return copy;
}

function patchJpegSize(bytes: Uint8Array<ArrayBuffer>, width: number, height: number): Uint8Array<ArrayBuffer> {
  return patchJpeg(bytes, (copy, sof) => copy.set([height >> 8, height & 0xff, width >> 8, width & 0xff], sof + 5));
}

/** WebP with alpha is a VP8X file: flags at byte 20, canvas width-1 and height-1 (24-bit) at 24. */
function patchWebp(bytes: Uint8Array<ArrayBuffer>, patch: (bytes: Uint8Array) => void): Uint8Array<ArrayBuffer> {
  const copy = bytes.slice();
  expect(String.fromCharCode(...copy.subarray(12, 16))).toBe('VP8X');
  patch(copy);
  return copy;
}
