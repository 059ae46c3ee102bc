import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng, encodePng } from '../../src/codec/png';
import type { RgbaImage } from '../../src/core/image';
import { imresizeRgba } from '../../src/core/imresize';
import { UPLOAD_PATH } from '../../src/http/routes';
import { Canvas } from '../support/samples/paint';
import { describeWith, tool } from '../support/requirements';
import { CHROMIUM_PATH, launchChromium, launchChromiumWithSoftwareWebgpu } from './chromium';
import { colourPsnr, maxAbsDiff, readCanvas, waitForRun } from './demo-page';
import { startWranglerDev, type WranglerDev } from '../../training/reports/workerd/wrangler-dev';

// The demo page end to end: `wrangler dev` serving the Worker and its assets (the [build] step
// bundles the client), driven in headless Chromium without a GPU. Screenshots go to ARTIFACTS.
const ARTIFACTS = 'test/browser/artifacts';
const SAMPLE = 'gradient-shapes.png'; // RGB PNG: lossless, so pixels can be compared exactly

let dev: WranglerDev;
let browser: Browser;
let page: Page;

/** A small painted PNG for uploads. */
function paintedPng(width: number, height: number): Uint8Array<ArrayBuffer> {
  const image = new Canvas(width, height)
    .fill((x, y) => [(x * 255) / width, (y * 255) / height, 128, 255])
    .disc(width / 2, height / 2, height / 3, [250, 220, 40, 255]).image;
  return new Uint8Array(encodePng(image, true));
}

async function fetchPng(path: string, init?: RequestInit): Promise<RgbaImage> {
  const response = await fetch(`${dev.url}${path}`, init);
  expect(response.status, `${path}: ${response.status}`).toBe(200);
  return decodePng(new Uint8Array(await response.arrayBuffer()));
}

describeWith(
  tool(CHROMIUM_PATH, 'apt-get install chromium'),
  'the demo page end to end',
  () => {
    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      dev = await startWranglerDev();
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      await page.goto(`${dev.url}/`);
    }, 150_000);

    afterAll(async () => {
      await browser?.close();
      await dev?.stop();
    });

    describe('the demo page in headless Chromium', () => {
      let serverResult: RgbaImage;

      it('upscales the first sample on the Worker when it opens, next to MATLAB-style bicubic', async () => {
        await waitForRun(page, { backend: 'server', source: SAMPLE });
        serverResult = await readCanvas(page, 'wdsr-canvas');
        const bicubic = await readCanvas(page, 'bicubic-canvas');
        expect([serverResult.width, serverResult.height]).toEqual([384, 256]);
        // Shown unaltered: exactly the Worker's ?upscale=2 answer, and exactly the core's bicubic.
        expect(maxAbsDiff(serverResult, await fetchPng(`/samples/${SAMPLE}?upscale=2`))).toBe(0);
        expect(maxAbsDiff(bicubic, imresizeRgba(await fetchPng(`/samples/${SAMPLE}`), 384, 256))).toBe(0);
        expect(colourPsnr(serverResult, bicubic)).toBeLessThan(40); // the model changed the picture
        expect(await page.textContent('#stat-backend')).toContain('the Worker');
        // The stages before the streamed body, each as formatMs writes it (ms below a second, s above).
        expect(await page.textContent('#stat-time')).toMatch(/round trip; on the Worker: .*fetch (\d+ ms|\d+\.\d\d s).*decode (\d+ ms|\d+\.\d\d s)/);
      });

      it('runs the same model in the browser on WASM, says so, and matches the Worker', async () => {
        await page.check('input[name="mode"][value="browser"]');
        await waitForRun(page, { backend: 'wasm', source: SAMPLE });
        expect(await page.textContent('#stat-backend')).toMatch(/this browser: onnxruntime-web on WASM \(WebGPU has no adapter here/);
        const inBrowser = await readCanvas(page, 'wdsr-canvas');
        expect([inBrowser.width, inBrowser.height]).toEqual([384, 256]);
        expect(colourPsnr(inBrowser, await readCanvas(page, 'bicubic-canvas'))).toBeLessThan(40);
        // Bit-identical: the same ORT WebAssembly build, model file and tiled pipeline as the Worker,
        // with another tile size (tiles overlap by the receptive field, so tiling changes nothing).
        expect(maxAbsDiff(inBrowser, serverResult)).toBe(0);
        await page.screenshot({ path: join(ARTIFACTS, 'demo-wasm.png'), fullPage: true });
      });

      it('posts an uploaded file to the upload endpoint in server mode', async () => {
        const png = paintedPng(48, 32);
        await page.check('input[name="mode"][value="server"]');
        await page.setInputFiles('#file', { name: 'painted.png', mimeType: 'image/png', buffer: Buffer.from(png) });
        await waitForRun(page, { backend: 'server', source: 'painted.png' });
        expect(await page.isChecked(`input[name="sample"][value="/samples/${SAMPLE}"]`)).toBe(false);
        const shown = await readCanvas(page, 'wdsr-canvas');
        expect(maxAbsDiff(shown, await fetchPng(`${UPLOAD_PATH}?upscale=2`, { method: 'POST', body: png }))).toBe(0);
        expect([shown.width, shown.height]).toEqual([96, 64]);
      });

      it('moves the divider by pointer and keyboard, zooms with crisp pixels, and lays out side by side', async () => {
        await page.check(`input[name="sample"][value="/samples/${SAMPLE}"]`);
        await waitForRun(page, { backend: 'server', source: SAMPLE });
        const canvas = (await page.locator('#bicubic-canvas').boundingBox())!;
        expect(canvas.width).toBe(384); // 1:1 at devicePixelRatio 1
        await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
        await page.mouse.down();
        await page.mouse.move(canvas.x + canvas.width / 4, canvas.y + canvas.height / 2, { steps: 4 });
        await page.mouse.up();
        expect(await page.getAttribute('#divider', 'aria-valuenow')).toBe('25');
        await page.keyboard.press('Shift+ArrowRight'); // the drag focused the divider
        expect(await page.getAttribute('#divider', 'aria-valuenow')).toBe('35');
        await page.locator('#viewer').screenshot({ path: join(ARTIFACTS, 'demo-slider.png') });

        await page.locator('#zoom').fill('4');
        expect((await page.locator('#wdsr-canvas').boundingBox())!.width).toBe(4 * 384);
        const viewer = await page
          .locator('#viewer')
          .evaluate((element) => ({ left: element.scrollLeft, width: element.scrollWidth, visible: element.clientWidth }));
        expect(Math.abs(viewer.left + viewer.visible / 2 - viewer.width / 2)).toBeLessThan(20); // still centred
        expect(await page.locator('#wdsr-canvas').evaluate((element) => getComputedStyle(element).imageRendering)).toBe('pixelated');
        await page.locator('#viewer').screenshot({ path: join(ARTIFACTS, 'demo-zoom4.png') });

        await page.locator('#zoom').fill('1');
        await page.check('input[name="layout"][value="side-by-side"]');
        const [before, after] = [(await page.locator('#bicubic-canvas').boundingBox())!, (await page.locator('#wdsr-canvas').boundingBox())!];
        expect(after.x).toBeGreaterThanOrEqual(before.x + before.width);
        expect(await page.isVisible('#divider')).toBe(false);
      });
    });

    describe('the demo page with a (software) WebGPU adapter', () => {
      it('runs the model on WebGPU, says so, and stays within rounding of the Worker', async () => {
        const webgpuBrowser = await launchChromiumWithSoftwareWebgpu();
        try {
          const webgpuPage = await webgpuBrowser.newPage();
          await webgpuPage.goto(`${dev.url}/`);
          await waitForRun(webgpuPage, { backend: 'server', source: SAMPLE });
          const png = paintedPng(24, 16); // SwiftShader computes on the CPU: tens of seconds for a sample
          await webgpuPage.setInputFiles('#file', { name: 'tiny.png', mimeType: 'image/png', buffer: Buffer.from(png) });
          await waitForRun(webgpuPage, { backend: 'server', source: 'tiny.png' });
          await webgpuPage.check('input[name="mode"][value="browser"]');
          await waitForRun(webgpuPage, { backend: 'webgpu', source: 'tiny.png' }, 120_000);
          expect(await webgpuPage.textContent('#stat-backend')).toBe('this browser: onnxruntime-web on WebGPU (WebGPU adapter available)');
          const shown = await readCanvas(webgpuPage, 'wdsr-canvas');
          expect([shown.width, shown.height]).toEqual([48, 32]);
          const server = await fetchPng(`${UPLOAD_PATH}?upscale=2`, { method: 'POST', body: png });
          // GPU float arithmetic differs from WASM's in the last bits; measured: at most 1 level here, 2 on a 192x128 sample.
          expect(maxAbsDiff(shown, server)).toBeLessThanOrEqual(2);
          await webgpuPage.screenshot({ path: join(ARTIFACTS, 'demo-webgpu.png'), fullPage: true });
        } finally {
          await webgpuBrowser.close();
        }
      }, 180_000);
    });
  },
  { failInCi: true },
);
