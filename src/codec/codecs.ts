import { bandsOf, collectBands, type BandedImage, type RgbaBand } from '../core/bands';
import { concatBytes, readStreamed, releasingAfter, type StreamedBytes } from '../core/bytes';
import { isOpaque, type RgbaImage } from '../core/image';
import { flattenBands } from '../core/resample';
import type { Size } from '../core/resize-plan';
import type { AvifCodec } from './avif';
import { MalformedImageError, UnsupportedImageError } from './errors';
import type { ImageFormat } from './format';
import type { ImageHeader } from './header';
import { decodeJpeg } from './jpeg';
import { decodeJpegBands, scaledJpegSize, type JpegScaleDenominator } from './jpeg-decoder';
import { encodeJpegBands } from './jpeg-encoder';
import { decodePng } from './png';
import { decodePngBands } from './png-decoder';
import { encodePngBands } from './png-encoder';
import type { WebpCodec } from './webp';

/** Decode and encode by format: the one codec entry point of the upscale pipeline. */
export interface ImageCodecs {
  /**
   * Decodes `bytes`, whose header {@link readImageHeader} has already read (and the caller has
   * checked against its limits), to a banded image: in strips where the header says the format
   * allows it, whole otherwise. With `atLeast`, a decoder that can shrink on load (baseline JPEG,
   * in the DCT domain) returns the smallest reduction (1/2, 1/4, 1/8) still at least that size.
   * Decoder failures, before or during the bands, are {@link MalformedImageError}s.
   *
   * `file` may still be arriving ({@link StreamedBytes}, its head holding everything the header
   * needs): a baseline JPEG is then decoded as it arrives, never held whole; other formats are
   * read whole first. The download's own failures (while the bands are pulled) pass through as
   * they are.
   */
  decodeBands(file: Uint8Array<ArrayBuffer> | StreamedBytes, header: ImageHeader, atLeast?: Size): Promise<BandedImage>;
  /** The encoded bytes of `image` as they are produced; `quality` (1..100) is used by the lossy formats. */
  encodeBands(image: BandedImage, format: ImageFormat, quality: number): AsyncGenerator<Uint8Array<ArrayBuffer>>;
  /** {@link decodeBands} gathered whole, at full size. */
  decode(bytes: Uint8Array<ArrayBuffer>, header: ImageHeader): Promise<RgbaImage>;
  /** {@link encodeBands} of a whole image, gathered into one buffer. */
  encode(image: RgbaImage, format: ImageFormat, quality: number): Promise<Uint8Array<ArrayBuffer>>;
}

/**
 * Changes whenever an encoder's output bytes for the same pixels change (a new encoder, new
 * settings): entity tags derive from it, since they are known before the bytes are.
 */
export const CODECS_VERSION = 'streamed-1';

/** JPEG has no alpha channel: translucent pixels are composited over white. */
const JPEG_BACKGROUND = [255, 255, 255] as const;

/** DCT-domain reductions, largest first. */
const JPEG_DENOMINATORS: readonly JpegScaleDenominator[] = [8, 4, 2, 1];

/**
 * PNG and JPEG streamed in JavaScript (our row decoders and encoders; fast-png and jpeg-js for
 * the variants that decode whole), WebP and AVIF through the given libwebp and libavif codecs, whole.
 *
 * @example
 * const codecs = createImageCodecs(createWebpCodec(webpModules), createAvifCodec(avifModules));
 * const image = await codecs.decodeBands(bytes, readImageHeader(bytes));
 */
export function createImageCodecs(webp: WebpCodec, avif: AvifCodec): ImageCodecs {
  const codecs: ImageCodecs = {
    async decodeBands(file, header, atLeast) {
      const { source, downloadFailures } = watchDownload(file);
      let decoded: { image: BandedImage; expected: Size };
      try {
        if (header.format === 'jpeg' && header.decodesInStrips) {
          const denominator = atLeast === undefined ? 1 : jpegReduction(header, atLeast);
          decoded = { image: decodeJpegBands(source, denominator), expected: scaledJpegSize(header, denominator) };
        } else {
          const bytes = source instanceof Uint8Array ? source : await readStreamed(source);
          decoded = { image: await decodeBuffered(bytes, header, webp, avif), expected: header };
        }
      } catch (error) {
        throw downloadFailures.has(error) ? error : asDecodeError(error, header);
      }
      const { image, expected } = decoded;
      if (image.width !== expected.width || image.height !== expected.height) {
        throw new MalformedImageError(`${header.format} decoded to ${image.width}x${image.height}, header says ${expected.width}x${expected.height}`);
      }
      return { ...image, bands: decodeErrorsMapped(image.bands, header, downloadFailures) };
    },
    encodeBands(image, format, quality) {
      switch (format) {
        case 'png':
          return encodePngBands(image);
        case 'jpeg':
          return encodeJpegBands(flattenBands(image, JPEG_BACKGROUND), quality);
        case 'webp':
          return encodeWhole(image, quality, webp);
        case 'avif':
          return encodeWhole(image, quality, avif);
      }
    },
    async decode(bytes, header) {
      return collectBands(await codecs.decodeBands(bytes, header));
    },
    async encode(image, format, quality) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of codecs.encodeBands(bandsOf(image, isOpaque(image)), format, quality)) chunks.push(chunk);
      return concatBytes(chunks);
    },
  };
  return codecs;
}

/** The largest DCT-domain reduction whose output is still at least `atLeast` on both sides. */
function jpegReduction(size: Size, atLeast: Size): JpegScaleDenominator {
  return JPEG_DENOMINATORS.find((d) => {
    const reduced = scaledJpegSize(size, d);
    return reduced.width >= atLeast.width && reduced.height >= atLeast.height;
  })!; // 1 always qualifies for a target no larger than the source
}

async function decodeWhole(bytes: Uint8Array, header: ImageHeader, webp: WebpCodec, avif: AvifCodec): Promise<RgbaImage> {
  switch (header.format) {
    case 'png':
      return decodePng(bytes);
    case 'jpeg':
      // jpeg-js has its own megapixel budget; ours was applied to the same header already, so
      // give it the header's size, rounded up (w * h / 1e6 * 1e6 can round below w * h).
      return decodeJpeg(bytes, Math.ceil((header.width * header.height) / 1e6));
    case 'webp':
      return webp.decode(bytes);
    case 'avif':
      return avif.decode(bytes);
  }
}

async function* encodeWhole(image: BandedImage, quality: number, codec: WebpCodec | AvifCodec): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  // libwebp and libavif encode whole pictures only: the pipeline bounds their outputs by their own limits.
  yield await codec.encode(await collectBands(image), quality);
}

/**
 * A streamed file whose download failures are recorded as they pass through the decoder, so that
 * they are not taken for the decoder's own.
 */
function watchDownload(file: Uint8Array<ArrayBuffer> | StreamedBytes): { source: Uint8Array<ArrayBuffer> | StreamedBytes; downloadFailures: Set<unknown> } {
  const downloadFailures = new Set<unknown>();
  if (file instanceof Uint8Array) return { source: file, downloadFailures };
  const rest: AsyncIterator<Uint8Array> = {
    next: () =>
      file.rest.next().catch((error: unknown) => {
        downloadFailures.add(error);
        throw error;
      }),
  };
  return { source: { head: file.head, rest }, downloadFailures };
}

/** The decoders of a file held whole: non-interlaced PNG in strips, the rest whole. */
async function decodeBuffered(bytes: Uint8Array<ArrayBuffer>, header: ImageHeader, webp: WebpCodec, avif: AvifCodec): Promise<BandedImage> {
  if (header.format === 'png' && header.decodesInStrips) return decodePngBands(bytes);
  const whole = await decodeWhole(bytes, header, webp, avif);
  const banded = bandsOf(whole, isOpaque(whole));
  return { ...banded, bands: releasingAfter(banded.bands, whole.data) };
}

/** Failures inside the decoders become {@link MalformedImageError}s, during the bands as before them; the download's pass through. */
async function* decodeErrorsMapped(bands: AsyncIterable<RgbaBand>, header: ImageHeader, downloadFailures: ReadonlySet<unknown>): AsyncGenerator<RgbaBand> {
  try {
    yield* bands;
  } catch (error) {
    throw downloadFailures.has(error) ? error : asDecodeError(error, header);
  }
}

function asDecodeError(error: unknown, header: ImageHeader): Error {
  if (error instanceof MalformedImageError || error instanceof UnsupportedImageError) return error;
  return new MalformedImageError(`${header.format} decoder failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
