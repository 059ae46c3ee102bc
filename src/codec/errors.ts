/**
 * The bytes are not an image format we decode (unknown magic bytes, or a variant such as
 * 12-bit JPEG or animated WebP). The HTTP layer answers 415.
 */
export class UnsupportedImageError extends Error {
  override readonly name = 'UnsupportedImageError';
}

/**
 * The bytes claim a format we decode but are damaged: truncated headers, impossible sizes, or a
 * decoder failure. The HTTP layer answers 422.
 */
export class MalformedImageError extends Error {
  override readonly name = 'MalformedImageError';
}
