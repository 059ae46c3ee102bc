/** The raster formats the service decodes and encodes. */
export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** Every {@link ImageFormat}, in the order error messages list them. */
export const IMAGE_FORMATS: readonly ImageFormat[] = ['png', 'jpeg', 'webp'];

/** Formats whose encoders stream (take rows, emit bytes); WebP encodes whole pictures only. */
export const STREAMED_FORMATS: readonly ImageFormat[] = ['png', 'jpeg'];

/** Each format's media type, for `Content-Type` and `Accept` matching. */
export const MEDIA_TYPES: Readonly<Record<ImageFormat, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
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
  return undefined;
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
