import { MalformedImageError, UnsupportedImageError } from './errors';
import { ascii, sniffFormat, startsWith, type ImageFormat } from './format';
import { jpegDecodesInStrips } from './jpeg-decoder';

/** What the first bytes of a file say, read without decoding a single pixel. */
export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /**
   * Whether the streaming decoders can read the image in strips, holding O(width) memory: baseline
   * JPEG and non-interlaced PNG. Progressive JPEG (coefficients for the whole image), interlaced
   * PNG (Adam7 passes) and WebP (libwebp) decode whole, under a lower pixel limit.
   */
  readonly decodesInStrips: boolean;
}

/**
 * Reads format and dimensions from the header alone, so size limits can be enforced before any
 * decoder allocates (imgproxy's order of work). Throws {@link UnsupportedImageError} for formats
 * or variants we do not decode and {@link MalformedImageError} for damaged headers.
 *
 * @example
 * const { format, width, height } = readImageHeader(bytes);
 * if (width * height > limits.sourcePixels) throw ...;
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const format = sniffFormat(bytes);
  if (format === undefined) throw new UnsupportedImageError('not a PNG, JPEG or WebP image');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = format === 'png' ? pngSize(bytes, view) : format === 'jpeg' ? jpegSize(bytes, view) : { ...webpSize(bytes, view), decodesInStrips: false };
  if (size.width < 1 || size.height < 1) throw new MalformedImageError(`${format} header declares a ${size.width}x${size.height} image`);
  return { format, ...size };
}

interface Size {
  readonly width: number;
  readonly height: number;
}

type StripSize = Size & { readonly decodesInStrips: boolean };

/** The IHDR chunk must come first (PNG spec 5.6): width and height big-endian u32, the interlace method its 13th byte. */
function pngSize(bytes: Uint8Array, view: DataView): StripSize {
  if (bytes.length < 29 || !startsWith(bytes, 12, ascii('IHDR'))) throw new MalformedImageError('PNG without a leading IHDR chunk');
  return { width: view.getUint32(16), height: view.getUint32(20), decodesInStrips: bytes[28] === 0 };
}

/** Start-of-frame markers carry the size: SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const START_OF_SCAN = 0xda;

/** Walks the marker segments (ITU T.81 B.1) until the frame header. */
function jpegSize(bytes: Uint8Array, view: DataView): StripSize {
  let offset = 2; // past SOI
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) throw new MalformedImageError(`JPEG marker expected at byte ${offset}`);
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte before a marker
      continue;
    }
    const length = view.getUint16(offset + 2);
    if (SOF_MARKERS.has(marker)) {
      if (offset + 9 > bytes.length) break;
      const precision = bytes[offset + 4];
      if (precision !== 8) throw new UnsupportedImageError(`${precision}-bit JPEG is not supported (8-bit only)`);
      return { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7), decodesInStrips: jpegDecodesInStrips(bytes) };
    }
    if (marker === START_OF_SCAN) throw new MalformedImageError('JPEG scan starts before any frame header');
    if (length < 2) throw new MalformedImageError(`JPEG segment at byte ${offset} has length ${length}`);
    offset += 2 + length;
  }
  throw new MalformedImageError('JPEG ends before its frame header');
}

/** RIFF container with one VP8 (lossy), VP8L (lossless) or VP8X (extended) chunk first. */
function webpSize(bytes: Uint8Array, view: DataView): Size {
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  const data = 20; // RIFF header (12) + chunk header (8)
  const sizeFieldsEnd = data + (chunk === 'VP8L' ? 5 : 10);
  if (bytes.length < sizeFieldsEnd) throw new MalformedImageError('WebP shorter than its headers');
  switch (chunk) {
    case 'VP8 ':
      // Key frame: 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height (RFC 6386 9.1).
      if (!startsWith(bytes, data + 3, [0x9d, 0x01, 0x2a])) throw new MalformedImageError('WebP VP8 chunk without a key frame start code');
      return { width: view.getUint16(data + 6, true) & 0x3fff, height: view.getUint16(data + 8, true) & 0x3fff };
    case 'VP8L': {
      // Signature 0x2f, then width-1 and height-1 as 14-bit little-endian fields (WebP lossless spec 3.1).
      if (bytes[data] !== 0x2f) throw new MalformedImageError('WebP VP8L chunk without its signature');
      const bits = view.getUint32(data + 1, true);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    case 'VP8X': {
      // Flags byte (bit 1: animation), 3 reserved bytes, then 24-bit canvas width-1 and height-1.
      if ((bytes[data]! & 0x02) !== 0) throw new UnsupportedImageError('animated WebP is not supported');
      return { width: uint24(bytes, data + 4) + 1, height: uint24(bytes, data + 7) + 1 };
    }
    default:
      throw new MalformedImageError(`WebP with unknown first chunk ${JSON.stringify(chunk)}`);
  }
}

function uint24(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16);
}
