import type { ImageDataLike } from '../pixels';

/** The image being upscaled: a sample the Worker serves, or a file from this computer. */
export type ImageSource =
  | { readonly kind: 'sample'; readonly name: string; readonly path: string; readonly blob: Blob }
  | { readonly kind: 'upload'; readonly name: string; readonly blob: Blob };

/**
 * Downloads a sample by its path (e.g. `/samples/text-card.jpg`).
 *
 * @example
 * const source = await loadSample('/samples/gradient-shapes.png', signal);
 */
export async function loadSample(path: string, signal: AbortSignal): Promise<ImageSource> {
  const response = await fetch(path, { signal });
  if (!response.ok) throw new Error(`${path}: the server answered ${response.status}`);
  return { kind: 'sample', name: path.slice(path.lastIndexOf('/') + 1), path, blob: await response.blob() };
}

/** A dropped or chosen file as a source. */
export function fileSource(file: File): ImageSource {
  return { kind: 'upload', name: file.name, blob: file };
}

/**
 * Decodes an encoded image with the browser's own decoders into straight-alpha RGBA pixels,
 * without colour management, so the values are the file's (what the Worker's decoders read).
 *
 * @example
 * const pixels = await decodePixels(source.blob);
 */
export async function decodePixels(blob: Blob): Promise<ImageDataLike> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (error) {
    throw new Error('this browser cannot decode the image (is it a PNG, JPEG or WebP?)', { cause: error });
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

/** Encodes pixels as PNG with the browser's encoder (for the download link and its size). */
export function encodePng(image: ImageDataLike): Promise<Blob> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas.getContext('2d')!.putImageData(new ImageData(image.data, image.width, image.height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}
