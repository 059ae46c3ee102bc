import { parseManifest, type ModelManifest } from '../core/manifest';
import { createModelCatalog } from '../core/model-catalog';
import { upscaleImage } from '../core/upscale';
import { MODEL_MANIFEST_PATH, modelFilePath } from '../http/routes';
import { chooseBackend, type BackendChoice, type BackendPreference } from './backend';
import { probeBrowser } from './probe';
import { createBrowserRunner } from './browser-runner';
import { asImageDataLike, asRgbaImage, type ImageDataLike } from './pixels';

export interface BrowserUpscalerOptions {
  /** Origin of a wdsr-edge Worker (`https://edge.example.com`); the models and their manifest come from its `/_wdsr/models/` route. */
  readonly serviceUrl: string;
  /** Folder URL (ending in `/`) holding onnxruntime-web's `.wasm` files; the Worker's demo serves them at `/client/`. */
  readonly runtimeUrl: string;
  /** Default `auto`: WebGPU when the browser can, WASM otherwise. */
  readonly backend?: BackendPreference;
  /** Largest tile edge in source pixels (default 128); results do not depend on it, memory does. */
  readonly tileSize?: number;
}

export interface BrowserUpscaleOptions {
  /** One of the upscaler's `scales`. */
  readonly scale: number;
  /** Checked between tiles; aborting rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called before each tile with the tiles done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface BrowserUpscaleResult {
  /** The upscaled pixels; `new ImageData(image.data, image.width, image.height)` for a canvas. */
  readonly image: ImageDataLike;
  /** Milliseconds spent downloading the model and starting its session (about 0 once loaded). */
  readonly loadMs: number;
  /** Milliseconds of tiled inference. */
  readonly inferMs: number;
}

export interface BrowserUpscaler {
  /** The backend every upscale runs on, and why it was chosen. */
  readonly backend: BackendChoice;
  /** The scales the service's manifest offers. */
  readonly scales: readonly number[];
  upscale(image: ImageDataLike, options: BrowserUpscaleOptions): Promise<BrowserUpscaleResult>;
}

/** Default tile edge, the Worker's too (`TILE_SIZE`); a browser tab with memory to spare can pass a larger `tileSize`. */
const DEFAULT_TILE_SIZE = 128;

/**
 * Creates an upscaler that runs the Worker's own models in this browser: the same manifest, the
 * same files (checked against their SHA-256), the same tiled pipeline (`src/core/upscale.ts`) as
 * the server, on WebGPU or WASM. Each model is downloaded and started once, on first use.
 *
 * @example
 * const upscaler = await createBrowserUpscaler({ serviceUrl: 'https://edge.example.com', runtimeUrl: 'https://edge.example.com/client/' });
 * const { image } = await upscaler.upscale(context.getImageData(0, 0, w, h), { scale: 2 });
 * context2x.putImageData(new ImageData(image.data, image.width, image.height), 0, 0);
 * console.log(`ran on ${upscaler.backend.backend}: ${upscaler.backend.reason}`);
 */
export async function createBrowserUpscaler(options: BrowserUpscalerOptions): Promise<BrowserUpscaler> {
  const { serviceUrl, runtimeUrl, tileSize = DEFAULT_TILE_SIZE } = options;
  const [backend, manifest] = await Promise.all([probeBrowser().then((found) => chooseBackend(options.backend ?? 'auto', found)), fetchManifest(serviceUrl)]);
  const catalog = createModelCatalog(manifest, (model) =>
    createBrowserRunner(model, new URL(modelFilePath(model), serviceUrl).href, backend.backend, runtimeUrl),
  );
  return {
    backend,
    scales: catalog.scales,
    async upscale(image, { scale, signal, onProgress }) {
      const loadStart = performance.now();
      const lease = await catalog.lease(scale);
      try {
        const inferStart = performance.now();
        const result = await upscaleImage(asRgbaImage(image), lease.runner, {
          tileSize,
          ...(signal && { signal }),
          beforeTile: (done, total) => {
            onProgress?.(done, total);
            return nextTask(); // lets the page paint progress and handle input between tiles
          },
        });
        return { image: asImageDataLike(result), loadMs: inferStart - loadStart, inferMs: performance.now() - inferStart };
      } finally {
        lease.end();
      }
    },
  };
}

async function fetchManifest(serviceUrl: string): Promise<ModelManifest> {
  const url = new URL(MODEL_MANIFEST_PATH, serviceUrl).href;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return parseManifest(await response.json());
}

function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
