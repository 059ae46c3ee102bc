import type { Page } from 'playwright-core';
import type { RgbaImage } from '../../src/core/image';
import { psnr } from '../../src/core/metrics';

/** What a finished run shows: the backend that ran (`server`, `wasm`, `webgpu`) and the source's name. */
export interface RunExpectation {
  readonly backend: 'server' | 'wasm' | 'webgpu';
  readonly source: string;
}

/**
 * Waits until the page has finished the run it was asked for: the status says done, and the
 * stats name the expected backend and source (an earlier run's "done" does not count). A run
 * that fails throws with the page's message.
 */
export async function waitForRun(page: Page, expected: RunExpectation, timeoutMs = 90_000): Promise<void> {
  const settled = await page.waitForFunction(
    ({ backend, source }) => {
      const status = document.getElementById('status')!;
      if (status.dataset.state === 'error') return `error: ${status.textContent}`;
      const stats = document.getElementById('stat-backend')!;
      const done =
        status.dataset.state === 'done' && stats.dataset.backend === backend && document.getElementById('stat-source')!.textContent!.startsWith(`${source} `);
      return done ? 'done' : false;
    },
    expected,
    { timeout: timeoutMs, polling: 100 },
  );
  const outcome = await settled.jsonValue();
  if (outcome !== 'done') throw new Error(`the page reported ${outcome}`);
}

/** The pixels of a canvas on the page (straight-alpha RGBA, as `getImageData` returns them). */
export async function readCanvas(page: Page, id: string): Promise<RgbaImage> {
  const { width, height, base64 } = await page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let binary = '';
    for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return { width: canvas.width, height: canvas.height, base64: btoa(binary) };
  }, id);
  return { width, height, data: new Uint8Array(Buffer.from(base64, 'base64')) };
}

/** Largest difference of any channel value between two images of the same size. */
export function maxAbsDiff(a: RgbaImage, b: RgbaImage): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`sizes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

/** PSNR in dB of the colour channels (alpha ignored), whole image: how far apart two results are. */
export function colourPsnr(a: RgbaImage, b: RgbaImage): number {
  return psnr({ ...a, channels: 4 }, { ...b, channels: 4 }, { cropBorder: 0, yChannel: false });
}
