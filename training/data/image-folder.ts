import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJpeg } from '../../src/codec/jpeg';
import { decodePng } from '../../src/codec/png';
import type { RgbaImage } from '../../src/core/image';
import { resolveRepoPath } from '../config/load';

/** One decoded file of an image folder. */
export interface LoadedImage {
  /** File name within its folder, for messages and per-image reports. */
  readonly name: string;
  readonly image: RgbaImage;
  /**
   * True when the file stores a single grey channel (PNG colour type 0/4, one-component JPEG).
   * Decoding still yields RGB with R = G = B; evaluation needs the flag because the published
   * protocol compares such images on their grey values instead of on Y.
   */
  readonly greyscale: boolean;
}

const IMAGE_EXTENSION = /\.(png|jpe?g)$/i;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
// Decoding refuses JPEGs above this, which bounds memory; DIV2K's largest HR image is ~2.8 MP.
const MAX_JPEG_MEGAPIXELS = 64;

/**
 * The PNG/JPEG files of a folder (by extension, case-insensitive), sorted by name so every run
 * sees them in the same order. Fails when the folder holds none.
 *
 * @example
 * await listImageFiles('../shared/datasets/Set5/HR'); // ['baby.png', 'bird.png', ...]
 */
export async function listImageFiles(dir: string): Promise<string[]> {
  const entries = await readdir(resolveRepoPath(dir), { withFileTypes: true });
  const names = entries.filter((entry) => entry.isFile() && IMAGE_EXTENSION.test(entry.name)).map((entry) => entry.name);
  if (names.length === 0) throw new Error(`no PNG or JPEG images in ${dir}`);
  return names.sort();
}

/**
 * Reads and decodes one image file, choosing the codec by its signature bytes; any failure names the file.
 *
 * @example
 * const { image, greyscale } = await loadImageFile('../shared/datasets/Set14/HR', 'bridge.png');
 */
export async function loadImageFile(dir: string, name: string): Promise<LoadedImage> {
  const path = join(resolveRepoPath(dir), name);
  const bytes = new Uint8Array(await readFile(path));
  try {
    if (isPng(bytes)) return { name, image: decodePng(bytes), greyscale: pngIsGreyscale(bytes) };
    if (bytes[0] === 0xff && bytes[1] === 0xd8) return { name, image: decodeJpeg(bytes, MAX_JPEG_MEGAPIXELS), greyscale: jpegComponents(bytes) === 1 };
  } catch (error) {
    throw new Error(`cannot decode ${path}: ${(error as Error).message}`, { cause: error });
  }
  throw new Error(`${path} is neither PNG nor JPEG (by its first bytes)`);
}

function isPng(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((byte, i) => bytes[i] === byte);
}

/** IHDR is always the first chunk; its colour type byte sits at offset 25 (PNG spec 11.2.2). */
function pngIsGreyscale(bytes: Uint8Array): boolean {
  const colourType = bytes[25];
  return colourType === 0 || colourType === 4;
}

/** Component count from the first start-of-frame marker (ITU T.81 B.2.2), walking marker segments. */
function jpegComponents(bytes: Uint8Array): number {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) throw new Error(`malformed JPEG marker at byte ${offset}`);
    const marker = bytes[offset + 1]!;
    const length = (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return bytes[offset + 9]!;
    offset += 2 + length;
  }
  throw new Error('JPEG has no start-of-frame marker');
}
