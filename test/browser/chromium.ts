import { chromium, type Browser } from 'playwright-core';

/** Debian's `chromium` package; CI installs it (.ci/run). `CHROMIUM_PATH` points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for headless Chromium on a CI box without a GPU or network: no sandbox (containers
 * lack the namespaces it needs), no GPU (so WebGPU has no adapter and the client must say WASM),
 * and none of the background services that would try to reach Google.
 */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches the system Chromium through playwright-core (no browser download). Playwright gives
 * every launch a fresh temporary `--user-data-dir` of its own and removes it on close.
 *
 * @example
 * const browser = await launchChromium();
 * try { const page = await browser.newPage(); } finally { await browser.close(); }
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS, timeout: 60_000 });
}

/**
 * Like {@link launchChromium}, but with WebGPU on SwiftShader, Chromium's CPU implementation of
 * Vulkan: a real WebGPU adapter without a GPU, so the client's WebGPU path runs in CI (slowly:
 * keep its images tiny).
 */
export function launchChromiumWithSoftwareWebgpu(): Promise<Browser> {
  const args = [
    ...FLAGS.filter((flag) => flag !== '--disable-gpu'),
    '--enable-unsafe-webgpu',
    '--use-webgpu-adapter=swiftshader',
    '--enable-unsafe-swiftshader',
  ];
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args, timeout: 60_000 });
}
