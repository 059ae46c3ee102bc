/**
 * The wdsr-edge browser client: runs the service's WDSR models in the browser with
 * onnxruntime-web (WebGPU when available, WASM otherwise), through the same tiled pipeline as
 * the Worker. Import it as `wdsr-edge/client` (TypeScript source, for your bundler), or as the
 * ready-made ES module the Worker's demo serves at `/client/wdsr-client.js`, next to the
 * onnxruntime-web `.wasm` files it loads.
 *
 * @example
 * import { createBrowserUpscaler, upscaleBicubic } from 'wdsr-edge/client';
 *
 * const upscaler = await createBrowserUpscaler({
 *   serviceUrl: 'https://edge.example.com',         // models: GET /_wdsr/models/...
 *   runtimeUrl: 'https://edge.example.com/client/', // onnxruntime-web .wasm files
 * });
 * const source = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
 * const { image, inferMs } = await upscaler.upscale(source, { scale: 2, onProgress: (done, total) => bar.value = done / total });
 * const baseline = upscaleBicubic(source, 2); // to compare against
 * output.getContext('2d')!.putImageData(new ImageData(image.data, image.width, image.height), 0, 0);
 * status.textContent = `${upscaler.backend.backend} (${upscaler.backend.reason}): ${inferMs.toFixed(0)} ms`;
 */
export { chooseBackend, type Backend, type BackendChoice, type BackendPreference, type BrowserCapabilities } from './backend';
export { probeBrowser } from './probe';
export { asImageDataLike, asRgbaImage, upscaleBicubic, type ImageDataLike } from './pixels';
export { RUNTIME_WASM_FILES } from './runtime-files';
export {
  createBrowserUpscaler,
  type BrowserUpscaleOptions,
  type BrowserUpscaler,
  type BrowserUpscaleResult,
  type BrowserUpscalerOptions,
} from './upscaler';
