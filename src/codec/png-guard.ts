import { MalformedImageError } from './errors';
import { inflatesBeyond } from './bounded-inflate';

/**
 * The largest embedded ICC profile accepted, inflated. The decoder inflates `iCCP` whole (and we
 * ignore colour profiles anyway); real profiles are tens to hundreds of kilobytes.
 */
export const MAX_ICC_PROFILE_BYTES = 4 * 1024 * 1024;

/** Samples per pixel of each PNG colour type (PNG spec 11.2.2). */
export const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Adam7 passes: column start, row start, column step, row step (PNG spec 8.2). */
export const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/**
 * Rejects PNGs whose compressed streams inflate past what their header allows, before the
 * decoder (which keeps every inflated byte) runs: a few kilobytes of `IDAT` can inflate to
 * gigabytes behind an honest-looking small `IHDR`. `IDAT` may inflate to at most the filtered
 * scanlines the header's size, depth, colour type and interlacing call for; `iCCP` to at most
 * {@link MAX_ICC_PROFILE_BYTES}. Chunks that overrun the file are malformed.
 *
 * @example
 * await checkPngInflation(bytes); // throws MalformedImageError for a bomb
 */
export async function checkPngInflation(bytes: Uint8Array<ArrayBuffer>): Promise<void> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array<ArrayBuffer>[] = [];
  let rawBytes: number | undefined;
  for (let offset = 8; offset + 8 <= bytes.length; ) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const data = offset + 8;
    if (data + length > bytes.length) throw new MalformedImageError(`PNG chunk ${JSON.stringify(type)} runs past the end of the file`);
    const body = bytes.subarray(data, data + length);
    if (type === 'IHDR') rawBytes = filteredBytes(body);
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'iCCP') await checkIccProfile(body);
    else if (type === 'IEND') break;
    offset = data + length + 4; // past the CRC
  }
  if (rawBytes === undefined) throw new MalformedImageError('PNG without an IHDR chunk');
  if (await inflatesBeyond(idat, rawBytes)) throw new MalformedImageError(`PNG image data inflates past the ${rawBytes} bytes its header allows`);
}

/** Bytes of filtered scanlines (one filter byte per row, per Adam7 pass when interlaced). */
function filteredBytes(ihdr: Uint8Array): number {
  if (ihdr.length < 13) throw new MalformedImageError('PNG IHDR chunk is too short');
  const view = new DataView(ihdr.buffer, ihdr.byteOffset, ihdr.byteLength);
  const [width, height, depth, colourType, interlace] = [view.getUint32(0), view.getUint32(4), ihdr[8]!, ihdr[9]!, ihdr[12]!];
  const channels = CHANNELS[colourType];
  if (channels === undefined) throw new MalformedImageError(`PNG colour type ${colourType} does not exist`);
  const rowBytes = (columns: number) => 1 + Math.ceil((columns * channels * depth) / 8);
  if (interlace === 0) return height * rowBytes(width);
  if (interlace !== 1) throw new MalformedImageError(`PNG interlace method ${interlace} does not exist`);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const columns = Math.ceil((width - x0) / dx);
    const rows = Math.ceil((height - y0) / dy);
    if (columns > 0 && rows > 0) total += rows * rowBytes(columns);
  }
  return total;
}

/** `iCCP`: profile name, NUL, compression method (0: zlib), compressed profile. */
async function checkIccProfile(body: Uint8Array<ArrayBuffer>): Promise<void> {
  const nameEnd = body.indexOf(0);
  if (nameEnd < 0) throw new MalformedImageError('PNG iCCP chunk without a profile name');
  if (await inflatesBeyond([body.subarray(nameEnd + 2)], MAX_ICC_PROFILE_BYTES)) {
    throw new MalformedImageError(`PNG colour profile inflates past ${MAX_ICC_PROFILE_BYTES} bytes`);
  }
}
