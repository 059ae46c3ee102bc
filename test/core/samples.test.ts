import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createImageCodecs } from '../../src/codec/codecs';
import { readImageHeader } from '../../src/codec/header';
import { isOpaque } from '../../src/core/image';
import { SAMPLES } from '../support/samples/catalog';
import { renderSampleAssets, type AssetFile } from '../support/samples/render';
import { nodeAvifCodec } from './node-codecs';
import { nodeWebpCodec } from './node-codecs';

// The committed static assets (src/assets) must be exactly what the generator makes.
// `npm run samples` (UPDATE_SAMPLES=1) rewrites them from the code instead of comparing.
const ASSETS = 'src/assets';
const update = process.env.UPDATE_SAMPLES === '1';
const webp = nodeWebpCodec();

describe('sample assets', () => {
  let files: AssetFile[];
  beforeAll(async () => {
    files = await renderSampleAssets(webp);
    if (update) {
      for (const { path, bytes } of files) {
        mkdirSync(dirname(join(ASSETS, path)), { recursive: true });
        writeFileSync(join(ASSETS, path), bytes);
      }
    }
  });

  it.each(SAMPLES.map((sample) => [sample.file]))('%s is committed exactly as generated', (file) => {
    const generated = files.find(({ path }) => path === `samples/${file}`)!;
    const path = join(ASSETS, generated.path);
    expect(existsSync(path), `${path} missing: run npm run samples`).toBe(true);
    expect(Buffer.compare(readFileSync(path), generated.bytes), `${path} is stale: run npm run samples`).toBe(0);
  });

  it('index.html links every sample with and without ?upscale=2', () => {
    const html = readFileSync(join(ASSETS, 'index.html'), 'utf8');
    for (const { file } of SAMPLES) {
      expect(html).toContain(`href="/samples/${file}"`);
      expect(html).toContain(`href="/samples/${file}?upscale=2"`);
    }
  });

  it.each(SAMPLES.map((sample) => [sample.file, sample]))('%s decodes back to its painted pixels', async (_, sample) => {
    const bytes = readFileSync(join(ASSETS, 'samples', sample.file));
    const header = readImageHeader(bytes);
    const painted = sample.paint();
    expect(header).toMatchObject({ width: painted.width, height: painted.height });
    const decoded = await createImageCodecs(webp, nodeAvifCodec()).decode(bytes, header);
    expect(isOpaque(decoded)).toBe(isOpaque(painted));
    const lossy = sample.encoding === 'jpeg' || sample.encoding === 'webp';
    // Lossless encodings round-trip exactly; lossy ones stay close on average. Colour is compared
    // premultiplied: under fully transparent pixels it is invisible, and WebP does not keep it.
    const premultiplied = (data: Uint8Array, i: number) => (i % 4 === 3 ? data[i]! : (data[i]! * data[i - (i % 4) + 3]!) / 255);
    let error = 0;
    for (let i = 0; i < decoded.data.length; i++) error += Math.abs(premultiplied(decoded.data, i) - premultiplied(painted.data, i));
    expect(error / decoded.data.length).toBeLessThanOrEqual(lossy ? 3 : 0);
  });
});
