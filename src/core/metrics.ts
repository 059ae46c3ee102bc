import type { Raster } from './imresize';

/**
 * How an image pair is compared, as BasicSR's `calculate_psnr(img, img2, crop_border, test_y_channel)`.
 * Images are on the 8-bit scale (0..255), with 3 (RGB) or 4 (RGBA, alpha ignored) channels, or 1
 * (already grey/luma) when `yChannel` is false.
 */
export interface MetricOptions {
  /** Pixels dropped from every border before comparing; SR papers shave `scale`. */
  readonly cropBorder: number;
  /** Compare luma only (ITU-R BT.601 Y, see {@link rgbToY}), as SR papers do. */
  readonly yChannel: boolean;
}

/** A single-channel float64 plane. */
interface Plane {
  readonly width: number;
  readonly height: number;
  readonly data: Float64Array;
}

/**
 * BT.601 studio-swing luma of each pixel, on the 0..255 scale: `16 + 65.481 R + 128.553 G + 24.966 B`
 * with RGB in [0, 1]. Not rounded: the published SR numbers come from `rgb2ycbcr(im2double(img))`,
 * MATLAB's double path (rounding Y, as `rgb2ycbcr` on uint8 does, costs Set5 x2 bicubic 0.03 dB).
 *
 * @example
 * rgbToY({ width: 1, height: 1, channels: 3, data: new Uint8Array([255, 0, 0]) }).data[0]; // 81.481
 */
export function rgbToY(image: Raster): Raster<Float64Array> {
  const { width, height, channels, data } = image;
  if (channels < 3) throw new RangeError(`luma needs RGB or RGBA, got ${channels} channel(s)`);
  const luma = new Float64Array(width * height);
  for (let p = 0; p < luma.length; p++) {
    const s = p * channels;
    luma[p] = 16 + (65.481 * data[s]! + 128.553 * data[s + 1]! + 24.966 * data[s + 2]!) / 255;
  }
  return { width, height, channels: 1, data: luma };
}

/**
 * Peak signal-to-noise ratio in dB with peak 255, in float64; `Infinity` for identical images.
 *
 * @example
 * psnr(output, groundTruth, { cropBorder: 2, yChannel: true }); // 33.7
 */
export function psnr(a: Raster, b: Raster, options: MetricOptions): number {
  let squaredError = 0;
  let count = 0;
  for (const [x, y] of comparedPlanes(a, b, options)) {
    for (let i = 0; i < x.data.length; i++) {
      const d = x.data[i]! - y.data[i]!;
      squaredError += d * d;
    }
    count += x.data.length;
  }
  const mse = squaredError / count;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/**
 * Structural similarity as Wang et al. 2004 define it (`ssim_index.m`): 11x11 Gaussian window with
 * sigma 1.5, K1 = 0.01, K2 = 0.03, L = 255, mean of the 'valid' SSIM map; RGB is the mean over channels.
 *
 * @example
 * ssim(output, groundTruth, { cropBorder: 2, yChannel: true }); // 0.93
 */
export function ssim(a: Raster, b: Raster, options: MetricOptions): number {
  const planes = comparedPlanes(a, b, options);
  let total = 0;
  for (const [x, y] of planes) total += ssimPlane(x, y);
  return total / planes.length;
}

const SSIM_C1 = (0.01 * 255) ** 2;
const SSIM_C2 = (0.03 * 255) ** 2;
const GAUSSIAN_WINDOW = gaussianWindow(11, 1.5);

/**
 * Mean of the SSIM map of one plane pair. The five local statistics (means, second moments and
 * the cross moment) are filtered together: one horizontal pass keeps the five row-filtered planes,
 * and the vertical pass turns each window's five sums straight into its SSIM value.
 */
function ssimPlane(x: Plane, y: Plane): number {
  const size = GAUSSIAN_WINDOW.length;
  const { width, height } = x;
  if (Math.min(width, height) < size) {
    throw new RangeError(`SSIM needs at least ${size}x${size} pixels after cropping, got ${width}x${height}`);
  }
  const outWidth = width - size + 1;
  const outHeight = height - size + 1;
  // Row-filtered x, y, x^2, y^2 and xy, each height x outWidth ('valid' along x).
  const rows = Array.from({ length: 5 }, () => new Float64Array(height * outWidth));
  const [rx, ry, rxx, ryy, rxy] = rows as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < outWidth; c++) {
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let k = 0; k < size; k++) {
        const w = GAUSSIAN_WINDOW[k]!;
        const a = x.data[r * width + c + k]!;
        const b = y.data[r * width + c + k]!;
        sx += w * a;
        sy += w * b;
        sxx += w * a * a;
        syy += w * b * b;
        sxy += w * a * b;
      }
      const i = r * outWidth + c;
      rx[i] = sx;
      ry[i] = sy;
      rxx[i] = sxx;
      ryy[i] = syy;
      rxy[i] = sxy;
    }
  }
  let total = 0;
  for (let r = 0; r < outHeight; r++) {
    for (let c = 0; c < outWidth; c++) {
      let mx = 0;
      let my = 0;
      let exx = 0;
      let eyy = 0;
      let exy = 0;
      for (let k = 0; k < size; k++) {
        const w = GAUSSIAN_WINDOW[k]!;
        const i = (r + k) * outWidth + c;
        mx += w * rx[i]!;
        my += w * ry[i]!;
        exx += w * rxx[i]!;
        eyy += w * ryy[i]!;
        exy += w * rxy[i]!;
      }
      const varianceX = exx - mx * mx;
      const varianceY = eyy - my * my;
      const covariance = exy - mx * my;
      total += ((2 * mx * my + SSIM_C1) * (2 * covariance + SSIM_C2)) / ((mx * mx + my * my + SSIM_C1) * (varianceX + varianceY + SSIM_C2));
    }
  }
  return total / (outWidth * outHeight);
}

/** Normalised 1-D Gaussian; its outer product is MATLAB's `fspecial('gaussian', size, sigma)`. */
function gaussianWindow(size: number, sigma: number): Float64Array {
  const centre = (size - 1) / 2;
  const window = new Float64Array(size).map((_, i) => Math.exp(-((i - centre) ** 2) / (2 * sigma * sigma)));
  const sum = window.reduce((s, v) => s + v, 0);
  return window.map((v) => v / sum);
}

/** The cropped planes to compare, pairwise: Y alone, or each colour channel (alpha never). */
function comparedPlanes(a: Raster, b: Raster, options: MetricOptions): [Plane, Plane][] {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`images differ in size: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  }
  const { cropBorder, yChannel } = options;
  if (!Number.isInteger(cropBorder) || cropBorder < 0 || 2 * cropBorder >= Math.min(a.width, a.height)) {
    throw new RangeError(`cropBorder ${cropBorder} does not fit a ${a.width}x${a.height} image`);
  }
  if (yChannel) return [[cropPlane(rgbToY(a), 0, cropBorder), cropPlane(rgbToY(b), 0, cropBorder)]];
  if (a.channels !== b.channels) throw new RangeError(`images differ in channels: ${a.channels} vs ${b.channels}`);
  const colourChannels = a.channels === 4 ? 3 : a.channels;
  return Array.from({ length: colourChannels }, (_, c): [Plane, Plane] => [cropPlane(a, c, cropBorder), cropPlane(b, c, cropBorder)]);
}

function cropPlane(image: Raster, channel: number, border: number): Plane {
  const width = image.width - 2 * border;
  const height = image.height - 2 * border;
  const data = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = image.data[((y + border) * image.width + x + border) * image.channels + channel]!;
  }
  return { width, height, data };
}
