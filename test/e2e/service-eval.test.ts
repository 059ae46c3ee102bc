import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/codec/png';
import { SAMPLES } from '../support/samples/catalog';
import { bicubicUpscaler } from '../../training/eval/bicubic';
import { evaluateDirectory, type SetResult } from '../../training/metrics/evaluate';
import { loadOnnxUpscaler } from '../../training/eval/onnx-upscaler';
import { serviceUpscaler } from '../../training/eval/service-upscaler';
import type { ManifestModel } from '../../training/onnx/manifest';
import { recordServedMetrics, ServedModelMismatchError } from '../../training/reports/served-metrics';
import manifest from '../../model/manifest.json';
import { startWranglerDev, type WranglerDev } from '../../training/reports/workerd/wrangler-dev';

// `npm run eval -- --model http://…` scores the running service (what the model README's
// "served" numbers come from). Here it runs against `wrangler dev` on a folder of the generated,
// opaque samples, next to the same model run natively and bicubic.
const served = manifest.models.find((model) => model.scale === 2)!;

let dev: WranglerDev;
let hrDir: string;

beforeAll(async () => {
  hrDir = mkdtempSync(join(tmpdir(), 'wdsr-service-eval-'));
  for (const sample of SAMPLES.filter((s) => s.encoding === 'rgb-png' || s.encoding === 'jpeg')) {
    writeFileSync(join(hrDir, sample.file.replace(/\.\w+$/, '.png')), encodePng(sample.paint(), true));
  }
  dev = await startWranglerDev();
}, 150_000);

afterAll(async () => {
  await dev?.stop();
  if (hrDir !== undefined) rmSync(hrDir, { recursive: true, force: true });
});

describe('evaluating the running service over HTTP', () => {
  let service: SetResult;
  let native: SetResult;
  let bicubic: SetResult;

  beforeAll(async () => {
    service = await evaluateDirectory(hrDir, 2, serviceUpscaler(dev.url, 2));
    native = await evaluateDirectory(hrDir, 2, await loadOnnxUpscaler(join('model', served.file)));
    bicubic = await evaluateDirectory(hrDir, 2, bicubicUpscaler(2));
  }, 120_000);

  it('scores every image, and the served model clearly beats bicubic', () => {
    expect(service.images.length).toBeGreaterThanOrEqual(2);
    expect(service.images.map((image) => image.name)).toEqual(bicubic.images.map((image) => image.name));
    expect(service.psnr).toBeGreaterThan(bicubic.psnr + 1);
  });

  it('gives what the same model gives natively, image by image (tiling and WASM rounding only)', () => {
    service.images.forEach((image, i) => {
      expect(Math.abs(image.psnr - native.images[i]!.psnr), image.name).toBeLessThan(0.05);
    });
  });

  it('records the service scores in a manifest, only for the model the service really serves', async () => {
    const modelDir = mkdtempSync(join(tmpdir(), 'wdsr-served-metrics-'));
    const entry = served as unknown as ManifestModel;
    const recorded = await recordServedMetrics(modelDir, entry, dev.url, { dirs: [hrDir] });
    const stored = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')) as { models: ManifestModel[] };
    expect(stored.models).toEqual([recorded]);
    const sets = (recorded.metrics as { served: { sets: Record<string, { psnr: number }> } }).served.sets;
    expect(Object.values(sets)[0]!.psnr).toBeCloseTo(service.psnr, 3);
    await expect(recordServedMetrics(modelDir, { ...entry, sha256: '0'.repeat(64) }, dev.url, { dirs: [hrDir] })).rejects.toThrow(ServedModelMismatchError);
    rmSync(modelDir, { recursive: true, force: true });
  });

  it('reports the service error instead of a score for a scale the service does not serve', async () => {
    await expect(evaluateDirectory(hrDir, 5, serviceUpscaler(dev.url, 5))).rejects.toThrow(/answered 400/);
  });
});
