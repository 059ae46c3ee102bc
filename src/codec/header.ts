import { MalformedImageError, UnsupportedImageError } from './errors';
import { ascii, fourCC, ftypBrands, sniffFormat, startsWith, type ImageFormat } from './format';
import { jpegDecodesInStrips, jpegHeadersEnd } from './jpeg-decoder';

/** What the first bytes of a file say, read without decoding a single pixel. */
export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /**
   * Whether the streaming decoders can read the image in strips, holding O(width) memory: baseline
   * JPEG and non-interlaced PNG. Progressive JPEG (coefficients for the whole image), interlaced
   * PNG (Adam7 passes), WebP (libwebp) and AVIF (libavif) decode whole, under a lower pixel limit.
   */
  readonly decodesInStrips: boolean;
  /**
   * Whether the decoded image may have pixels that are not opaque, as far as the header tells: a
   * PNG with an alpha channel or a `tRNS` chunk (or whose chunks before the image data are not all
   * at hand), a WebP whose header flags alpha, any AVIF (its alpha is a separate item, not read
   * here); never a JPEG. libwebp's encoder heap is two to three times larger for translucent
   * pictures, so WebP output has a lower limit for these.
   */
  readonly mayHaveAlpha: boolean;
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
  if (format === undefined) throw new UnsupportedImageError('not a PNG, JPEG, WebP or AVIF image');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = ((): Omit<ImageHeader, 'format'> => {
    switch (format) {
      case 'png':
        return { ...pngSize(bytes, view), mayHaveAlpha: pngMayHaveAlpha(bytes, view) };
      case 'jpeg':
        return { ...jpegSize(bytes, view), mayHaveAlpha: false };
      case 'webp':
        return { ...webpSize(bytes, view), decodesInStrips: false };
      case 'avif':
        return { ...avifSize(bytes, view), decodesInStrips: false, mayHaveAlpha: true };
    }
  })();
  if (size.width < 1 || size.height < 1) throw new MalformedImageError(`${format} header declares a ${size.width}x${size.height} image`);
  return { format, ...size };
}

/** PNG's signature and IHDR chunk, which must come first: all that {@link readImageHeader} reads of a PNG. */
const PNG_HEADER_BYTES = 33;

/**
 * Whether `head`, the first bytes of a file still downloading, holds everything
 * {@link readImageHeader} reads, so that its limits can be checked (and a baseline JPEG decoded
 * as it arrives) before the rest: a PNG's first chunk, a JPEG's segments up to its scan's data.
 * WebP and AVIF headers are read from the whole file (false).
 *
 * @example
 * headerIsComplete(bytes.subarray(0, 40)); // true for a PNG, false for a JPEG whose tables come later
 */
export function headerIsComplete(head: Uint8Array): boolean {
  switch (sniffFormat(head)) {
    case 'png':
      return head.length >= PNG_HEADER_BYTES;
    case 'jpeg':
      return jpegHeadersEnd(head) !== undefined;
    default:
      return false;
  }
}

interface Size {
  readonly width: number;
  readonly height: number;
}

type StripSize = Size & { readonly decodesInStrips: boolean };
type AlphaSize = Size & { readonly mayHaveAlpha: boolean };

/** The IHDR chunk must come first (PNG spec 5.6): width and height big-endian u32, the interlace method its 13th byte. */
function pngSize(bytes: Uint8Array, view: DataView): StripSize {
  if (bytes.length < 29 || !startsWith(bytes, 12, ascii('IHDR'))) throw new MalformedImageError('PNG without a leading IHDR chunk');
  return { width: view.getUint32(16), height: view.getUint32(20), decodesInStrips: bytes[28] === 0 };
}

/** PNG colour types with an alpha channel: greyscale with alpha (4) and RGBA (6). */
const PNG_ALPHA_COLOUR_TYPES = new Set([4, 6]);

/**
 * An alpha channel (IHDR's colour type, its 10th byte), or a `tRNS` chunk before the first IDAT
 * (PNG spec 11.3.2: transparency of a palette or of one colour). When the chunks before IDAT are
 * not all in `bytes` (a streamed source's first bytes), the answer must be yes.
 */
function pngMayHaveAlpha(bytes: Uint8Array, view: DataView): boolean {
  if (PNG_ALPHA_COLOUR_TYPES.has(bytes[25]!)) return true;
  for (let offset = PNG_HEADER_BYTES; offset + 8 <= bytes.length; offset += 12 + view.getUint32(offset)) {
    const type = fourCC(bytes, offset + 4);
    if (type === 'tRNS') return true;
    if (type === 'IDAT') return false;
  }
  return true;
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
function webpSize(bytes: Uint8Array, view: DataView): AlphaSize {
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  const data = 20; // RIFF header (12) + chunk header (8)
  const sizeFieldsEnd = data + (chunk === 'VP8L' ? 5 : 10);
  if (bytes.length < sizeFieldsEnd) throw new MalformedImageError('WebP shorter than its headers');
  switch (chunk) {
    case 'VP8 ':
      // Key frame: 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height (RFC 6386 9.1).
      if (!startsWith(bytes, data + 3, [0x9d, 0x01, 0x2a])) throw new MalformedImageError('WebP VP8 chunk without a key frame start code');
      return { width: view.getUint16(data + 6, true) & 0x3fff, height: view.getUint16(data + 8, true) & 0x3fff, mayHaveAlpha: false };
    case 'VP8L': {
      // Signature 0x2f, then width-1 and height-1 as 14-bit little-endian fields and the alpha_is_used
      // bit (WebP lossless spec 3.1).
      if (bytes[data] !== 0x2f) throw new MalformedImageError('WebP VP8L chunk without its signature');
      const bits = view.getUint32(data + 1, true);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, mayHaveAlpha: (bits & (1 << 28)) !== 0 };
    }
    case 'VP8X': {
      // Flags byte (bit 1: animation, bit 4: alpha), 3 reserved bytes, then 24-bit canvas width-1 and height-1.
      if ((bytes[data]! & 0x02) !== 0) throw new UnsupportedImageError('animated WebP is not supported');
      return { width: uint24(bytes, data + 4) + 1, height: uint24(bytes, data + 7) + 1, mayHaveAlpha: (bytes[data]! & 0x10) !== 0 };
    }
    default:
      throw new MalformedImageError(`WebP with unknown first chunk ${JSON.stringify(chunk)}`);
  }
}

function uint24(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16);
}

/** An ISOBMFF box: its type, and where its payload lies in the file. */
interface Box {
  readonly type: string;
  /** First byte after the box header (for a full box, its version byte). */
  readonly start: number;
  /** First byte after the box. */
  readonly end: number;
}

/**
 * The boxes between `start` and `end` (ISO/IEC 14496-12 4.2): 32-bit size and type, a 64-bit size
 * when the size is 1, "to the end" when it is 0. A box that overruns its container is malformed.
 */
function boxes(bytes: Uint8Array, view: DataView, start: number, end: number): Box[] {
  const found: Box[] = [];
  let offset = start;
  while (offset + 8 <= end) {
    let size = view.getUint32(offset);
    let header = 8;
    if (size === 1) {
      if (offset + 16 > end) throw new MalformedImageError(`AVIF box at byte ${offset} is cut before its size`);
      size = Number(view.getBigUint64(offset + 8));
      header = 16;
    } else if (size === 0) {
      size = end - offset;
    }
    if (size < header || offset + size > end)
      throw new MalformedImageError(`AVIF box ${JSON.stringify(fourCC(bytes, offset + 4))} at byte ${offset} overruns its container`);
    found.push({ type: fourCC(bytes, offset + 4), start: offset + header, end: offset + size });
    offset += size;
  }
  return found;
}

/** The one box of `type` among `list`; a missing one is malformed. */
function child(list: readonly Box[], type: string, within: string): Box {
  const box = list.find((candidate) => candidate.type === type);
  if (box === undefined) throw new MalformedImageError(`AVIF ${within} without a ${type} box`);
  return box;
}

/**
 * HEIF's item structure (ISO/IEC 23008-12 9.3, 9.3.3): the top-level `meta` box names the primary
 * item (`pitm`); `iprp` holds the item properties (`ipco`, numbered from 1) and which belong to
 * which item (`ipma`); the primary item's `ispe` property is the image size. That is the size
 * libavif decodes to: it applies no rotation (`irot`) or crop (`clap`), so neither changes it. An
 * image sequence (brand `avis`, an animation) is refused: only its first frame would be served.
 */
function avifSize(bytes: Uint8Array, view: DataView): Size {
  if (ftypBrands(bytes).includes('avis')) throw new UnsupportedImageError('animated AVIF (an image sequence) is not supported');
  const meta = child(boxes(bytes, view, 0, bytes.length), 'meta', 'file');
  if (meta.end - meta.start < 4) throw new MalformedImageError('AVIF meta box is too short');
  const metaChildren = boxes(bytes, view, meta.start + 4, meta.end); // a full box: version and flags first
  const pitm = child(metaChildren, 'pitm', 'meta box');
  if (pitm.end - pitm.start < 6) throw new MalformedImageError('AVIF pitm box is too short');
  const primary = bytes[pitm.start] === 0 ? view.getUint16(pitm.start + 4) : view.getUint32(pitm.start + 4);
  const iprpBox = child(metaChildren, 'iprp', 'meta box');
  const iprp = boxes(bytes, view, iprpBox.start, iprpBox.end);
  const ipco = child(iprp, 'ipco', 'iprp box');
  const properties = boxes(bytes, view, ipco.start, ipco.end);
  for (const ipma of iprp.filter((box) => box.type === 'ipma')) {
    for (const index of propertyIndices(bytes, view, ipma, primary)) {
      const property = properties[index - 1];
      if (property?.type !== 'ispe') continue;
      // A full box: version and flags, then image_width and image_height as 32-bit integers.
      if (property.end - property.start < 12) throw new MalformedImageError('AVIF ispe box is too short');
      return { width: view.getUint32(property.start + 4), height: view.getUint32(property.start + 8) };
    }
  }
  throw new MalformedImageError(`AVIF primary item ${primary} has no image size (ispe) property`);
}

/** The property indices (1-based into `ipco`) `ipma` associates with item `item` (ISO/IEC 23008-12 9.3.3). */
function propertyIndices(bytes: Uint8Array, view: DataView, ipma: Box, item: number): number[] {
  const version = bytes[ipma.start]!;
  const wideIndices = (bytes[ipma.start + 3]! & 1) === 1;
  const need = (offset: number, length: number) => {
    if (offset + length > ipma.end) throw new MalformedImageError('AVIF ipma box is cut short');
  };
  need(ipma.start, 8);
  const entries = view.getUint32(ipma.start + 4);
  let offset = ipma.start + 8;
  for (let entry = 0; entry < entries; entry++) {
    need(offset, version < 1 ? 3 : 5);
    const id = version < 1 ? view.getUint16(offset) : view.getUint32(offset);
    offset += version < 1 ? 2 : 4;
    const count = bytes[offset]!;
    offset += 1;
    need(offset, count * (wideIndices ? 2 : 1));
    const indices: number[] = [];
    for (let i = 0; i < count; i++) {
      // The top bit says whether the property is essential; the rest is the index.
      indices.push(wideIndices ? view.getUint16(offset) & 0x7fff : bytes[offset]! & 0x7f);
      offset += wideIndices ? 2 : 1;
    }
    if (id === item) return indices;
  }
  return [];
}
