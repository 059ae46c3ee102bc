/** The raster formats the service decodes and encodes. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'avif';

/** Every {@link ImageFormat}, in the order error messages list them. */
export const IMAGE_FORMATS: readonly ImageFormat[] = ['png', 'jpeg', 'webp', 'avif'];

/** Formats whose encoders stream (take rows, emit bytes). */
const STREAMED_FORMATS: readonly ImageFormat[] = ['png', 'jpeg'];

/** Formats whose (WebAssembly) encoders take whole pictures only: each has its own output pixel limit. */
const WHOLE_ENCODED_FORMATS = ['webp', 'avif'] as const satisfies readonly ImageFormat[];

/**
 * Every set of formats an output may be encoded in, by which whole-encoded formats' limits it is
 * within: all of them, each one alone, none (the streamed formats only). Largest set first.
 */
export const OUTPUT_FORMAT_SETS: readonly (readonly ImageFormat[])[] = [
  IMAGE_FORMATS,
  ...WHOLE_ENCODED_FORMATS.map((within) => IMAGE_FORMATS.filter((format) => STREAMED_FORMATS.includes(format) || format === within)),
  STREAMED_FORMATS,
];

/** Each format's media type, for `Content-Type` and `Accept` matching. */
export const MEDIA_TYPES: Readonly<Record<ImageFormat, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  avif: 'image/avif',
};

/** Formats that take a `quality`; PNG is lossless. */
export function isLossy(format: ImageFormat): boolean {
  return format !== 'png';
}

/**
 * Identifies a format by its magic bytes, ignoring any declared `Content-Type` (origins mislabel).
 * Returns `undefined` for anything else.
 *
 * @example
 * sniffFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])); // 'jpeg'
 */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, 0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, 0, ascii('RIFF')) && startsWith(bytes, 8, ascii('WEBP'))) return 'webp';
  if (ftypBrands(bytes).some((brand) => AVIF_BRANDS.includes(brand))) return 'avif';
  return undefined;
}

/** AVIF's brands (AV1 Image File Format 1.1, 9.3): still images, and image sequences (animations). */
const AVIF_BRANDS = ['avif', 'avis'];

/**
 * The brands of an ISOBMFF file's leading `ftyp` box (ISO/IEC 14496-12 4.3): its major brand,
 * then its compatible brands; empty when the file does not start with one. AVIF, HEIC and MP4 all
 * start this way: the brands tell them apart.
 *
 * @example
 * ftypBrands(avifBytes); // ['avif', 'avif', 'mif1', 'miaf']
 */
export function ftypBrands(bytes: Uint8Array): string[] {
  if (bytes.length < 16 || !startsWith(bytes, 4, ascii('ftyp'))) return [];
  const size = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  if (size < 16 || size > bytes.length) return [];
  const brands = [fourCC(bytes, 8)]; // the major brand; bytes 12..16 are its minor version
  for (let offset = 16; offset + 4 <= size; offset += 4) brands.push(fourCC(bytes, offset));
  return brands;
}

/** The four ASCII characters at `offset` (a box type or brand). */
export function fourCC(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}

/**
 * Whether `bytes` holds `expected` at `offset` (false when too short).
 *
 * @example
 * startsWith(bytes, 8, ascii('WEBP'));
 */
export function startsWith(bytes: Uint8Array, offset: number, expected: readonly number[]): boolean {
  if (bytes.length < offset + expected.length) return false;
  return expected.every((byte, i) => bytes[offset + i] === byte);
}

/** The byte values of an ASCII string, for magic numbers and chunk names. */
export function ascii(text: string): number[] {
  return Array.from(text, (char) => char.charCodeAt(0));
}
