import type { BackendPreference } from '../backend';
import { createBrowserUpscaler, type BrowserUpscaler } from '../upscaler';

/** Where the build step puts onnxruntime-web's `.wasm` files: `src/assets/client/`, served at `/client/`. */
const RUNTIME_PATH = '/client/';

const upscalers = new Map<BackendPreference, Promise<BrowserUpscaler>>();

/**
 * The page's in-browser upscaler for a backend preference, created on first use and kept, so
 * later runs skip the runtime and model downloads. A failed creation is forgotten, so the next
 * run tries again (after a network hiccup, say).
 *
 * @example
 * const upscaler = await browserUpscaler('auto');
 */
export function browserUpscaler(preference: BackendPreference): Promise<BrowserUpscaler> {
  let upscaler = upscalers.get(preference);
  if (upscaler === undefined) {
    upscaler = createBrowserUpscaler({ serviceUrl: location.origin, runtimeUrl: new URL(RUNTIME_PATH, location.href).href, backend: preference });
    upscalers.set(preference, upscaler);
    upscaler.catch(() => upscalers.delete(preference));
  }
  return upscaler;
}
