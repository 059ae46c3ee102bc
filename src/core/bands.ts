import { createRgbaImage, type RgbaImage } from './image';

/**
 * Rows `y .. y + height - 1` of an RGBA image `width` pixels wide, interleaved like
 * {@link RgbaImage} (`data.length === width * height * 4`).
 */
export interface RgbaBand {
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * An image that is produced top to bottom, band by band, so that no stage has to hold all of it
 * (libvips' strips). Bands arrive in order, without gaps, and together cover `height` rows. A
 * producer may reuse a band's buffer once the consumer asks for the next one: a consumer that
 * keeps rows copies them.
 *
 * @example
 * for await (const band of image.bands) encoder.write(band);
 */
export interface BandedImage {
  readonly width: number;
  readonly height: number;
  /** True when every pixel is known to have alpha 255 before the first band is produced. */
  readonly opaque: boolean;
  readonly bands: AsyncIterable<RgbaBand>;
}

/**
 * A whole image as a banded one, `rows` rows a band (views, not copies).
 *
 * @example
 * const banded = bandsOf(image, isOpaque(image), 16);
 */
export function bandsOf(image: RgbaImage, opaque: boolean, rows = 64): BandedImage {
  const { width, height, data } = image;
  async function* bands(): AsyncGenerator<RgbaBand> {
    for (let y = 0; y < height; y += rows) {
      const bandHeight = Math.min(rows, height - y);
      yield { y, width, height: bandHeight, data: data.subarray(y * width * 4, (y + bandHeight) * width * 4) };
    }
  }
  return { width, height, opaque, bands: bands() };
}

/**
 * Gathers every band of `image` into one raster: for the consumers that need the whole picture
 * (libwebp), and the reference the streamed path is tested against.
 *
 * @example
 * const whole = await collectBands(upscaled);
 */
export async function collectBands(image: BandedImage): Promise<RgbaImage> {
  const result = createRgbaImage(image.width, image.height);
  let next = 0;
  for await (const band of image.bands) {
    checkBand(band, image, next);
    result.data.set(band.data.subarray(0, band.width * band.height * 4), band.y * image.width * 4);
    next = band.y + band.height;
  }
  if (next !== image.height) throw new RangeError(`bands ended at row ${next} of ${image.height}`);
  return result;
}

/** Throws unless `band` is the next band of `image`, starting at row `next`. */
export function checkBand(band: RgbaBand, image: { readonly width: number; readonly height: number }, next: number): void {
  if (band.width !== image.width || band.y !== next || band.height < 1 || band.y + band.height > image.height) {
    throw new RangeError(`band ${band.width}x${band.height} at row ${band.y} does not continue a ${image.width}x${image.height} image at row ${next}`);
  }
  if (band.data.length < band.width * band.height * 4)
    throw new RangeError(`band data holds ${band.data.length} bytes, fewer than ${band.width}x${band.height}x4`);
}

/**
 * Gathers rows that arrive one at a time (from a resize, say) into bands of `rowsPerBand` rows.
 * Band buffers are recycled: a band handed out by {@link take} returns to the pool when the
 * consumer asks for the next one, so a pipeline holds a few bands, not the image.
 *
 * @example
 * const assembler = new BandAssembler(640, 32);
 * resizer = new RowResizer(from, to, 4, (row) => assembler.add(row));
 * for (const band of assembler.take()) yield band;
 */
export class BandAssembler {
  readonly #free: Uint8Array[] = [];
  readonly #ready: RgbaBand[] = [];
  #current: Uint8Array | undefined;
  #currentY = 0;
  #filled = 0;

  constructor(
    readonly width: number,
    readonly rowsPerBand: number,
  ) {}

  /** Appends the next row (`width * 4` bytes from `row[start]`). */
  add(row: Uint8Array, start = 0): void {
    const rowBytes = this.width * 4;
    if (this.#current === undefined) {
      this.#current = this.#free.pop() ?? new Uint8Array(rowBytes * this.rowsPerBand);
      this.#filled = 0;
    }
    this.#current.set(row.subarray(start, start + rowBytes), this.#filled * rowBytes);
    if (++this.#filled === this.rowsPerBand) this.#seal();
  }

  /** Seals a partial last band. */
  finish(): void {
    if (this.#current !== undefined && this.#filled > 0) this.#seal();
  }

  /** The sealed bands, each recycled once the consumer resumes this generator. */
  *take(): Generator<RgbaBand> {
    for (let band = this.#ready.shift(); band !== undefined; band = this.#ready.shift()) {
      yield band;
      this.#free.push(new Uint8Array(band.data.buffer, band.data.byteOffset, this.width * 4 * this.rowsPerBand));
    }
  }

  #seal(): void {
    const data = this.#current!;
    this.#ready.push({ y: this.#currentY, width: this.width, height: this.#filled, data: data.subarray(0, this.#filled * this.width * 4) });
    this.#currentY += this.#filled;
    this.#current = undefined;
    this.#filled = 0;
  }
}
