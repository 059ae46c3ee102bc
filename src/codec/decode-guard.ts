import type { ImageHeader } from './header';
import { countJpegScans } from './jpeg-scans';
import { checkPngInflation } from './png-guard';

/** Scans decoded per JPEG; libjpeg's progressive default has 10, optimised progressions a few dozen. */
export const MAX_JPEG_SCANS = 100;

/** A source image within its pixel limits that would still cost too much to decode. */
export class DecodeCostError extends Error {
  override readonly name = 'DecodeCostError';
}

/**
 * Checks what the size in the header cannot bound, after the pixel limits and before the decoder
 * allocates: PNG streams that inflate past their header's size (decompression bombs) are malformed
 * ({@link checkPngInflation}); JPEGs with more than {@link MAX_JPEG_SCANS} scans cost too much CPU
 * ({@link DecodeCostError}). WebP needs no check here: libwebp itself refuses frames that disagree
 * with the canvas, and the decoder's output is checked against the header.
 *
 * @example
 * const header = readImageHeader(bytes); // then the pixel limits
 * await checkDecodeCost(bytes, header);
 * const image = await codecs.decode(bytes, header);
 */
export async function checkDecodeCost(bytes: Uint8Array<ArrayBuffer>, header: ImageHeader): Promise<void> {
  if (header.format === 'png') await checkPngInflation(bytes);
  if (header.format === 'jpeg') {
    const scans = countJpegScans(bytes);
    if (scans > MAX_JPEG_SCANS) throw new DecodeCostError(`the JPEG has ${scans} scans; at most ${MAX_JPEG_SCANS} are decoded`);
  }
}
