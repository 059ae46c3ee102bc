import { encodeJpeg } from '../../../src/codec/jpeg';
import { encodeGreyPng, encodePalettePng, encodePng } from '../../../src/codec/png';
import type { WebpCodec } from '../../../src/codec/webp';
import type { RgbaImage } from '../../../src/core/image';
import { SAMPLES, type Sample } from './catalog';
import { indexPageHtml, type PageSample } from './index-page';

/** A generated static asset: its path inside the assets directory and its bytes. */
export interface AssetFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** Quality of the lossy samples: high, so the sources show the model's work, not codec artefacts. */
const SAMPLE_QUALITY = 92;

/**
 * Every generated file of the default origin: the encoded samples under `samples/` and the
 * `index.html` demo page that lists them (see `index-page.ts`). Deterministic for a given libwebp build.
 *
 * @example
 * for (const { path, bytes } of await renderSampleAssets(webp)) writeFileSync(join('src/assets', path), bytes);
 */
export async function renderSampleAssets(webp: WebpCodec): Promise<AssetFile[]> {
  const files: AssetFile[] = [];
  const listed: PageSample[] = [];
  for (const sample of SAMPLES) {
    const image = sample.paint();
    files.push({ path: `samples/${sample.file}`, bytes: await encodeSample(sample, image, webp) });
    listed.push({ file: sample.file, description: sample.description, width: image.width, height: image.height });
  }
  files.push({ path: 'index.html', bytes: new TextEncoder().encode(indexPageHtml(listed)) });
  return files;
}

async function encodeSample(sample: Sample, image: RgbaImage, webp: WebpCodec): Promise<Uint8Array> {
  switch (sample.encoding) {
    case 'rgb-png':
      return encodePng(image, true);
    case 'rgba-png':
      return encodePng(image, false);
    case 'grey-png':
      return encodeGreyPng(image);
    case 'palette-png':
      return encodePalettePng(image);
    case 'jpeg':
      return encodeJpeg(image, SAMPLE_QUALITY);
    case 'webp':
      return webp.encode(image, SAMPLE_QUALITY);
  }
}
