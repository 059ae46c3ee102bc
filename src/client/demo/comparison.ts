import type { BackendPreference } from '../backend';
import { upscaleBicubic, type ImageDataLike } from '../pixels';
import { browserUpscaler } from './browser-mode';
import { formatMs } from './format';
import { upscaleOnServer } from './server-mode';
import { decodePixels, encodePng, type ImageSource } from './source';

/** Where the model runs: on the Worker, or in this page. */
export type RunMode = 'server' | 'browser';

export interface ComparisonRequest {
  readonly source: ImageSource;
  readonly scale: number;
  readonly mode: RunMode;
  /** In-browser backend preference (ignored on the server). */
  readonly backend: BackendPreference;
  readonly signal: AbortSignal;
  /** Reports what is happening, for the page's status line. */
  readonly onStep: (text: string) => void;
  /** Tiles done of total (in-browser runs; the server reports no progress). */
  readonly onProgress: (done: number, total: number) => void;
}

export interface Comparison {
  readonly source: ImageSource;
  readonly sourcePixels: ImageDataLike;
  readonly bicubic: ImageDataLike;
  readonly wdsr: ImageDataLike;
  /** The WDSR-B result, encoded (the Worker's response, or PNG from this browser). */
  readonly wdsrBlob: Blob;
  readonly wdsrEncodedBy: string;
  readonly time: string;
  /** What ran the model: `server`, or the in-browser backend. */
  readonly backend: 'server' | 'webgpu' | 'wasm';
  /** Where it ran, for a sentence: "on the Worker", "in this browser with WASM". */
  readonly where: string;
  /** What ran it, and why that backend. */
  readonly ranOn: string;
}

/**
 * One run of the demo: decodes the source, makes the bicubic baseline in this page and the
 * WDSR-B result where `mode` says, and describes how long it took and what ran it.
 *
 * @example
 * const comparison = await compareUpscales({ source, scale: 2, mode: 'browser', backend: 'auto', signal, onStep, onProgress });
 */
export async function compareUpscales(request: ComparisonRequest): Promise<Comparison> {
  const { source, scale, signal, onStep } = request;
  const sourcePixels = await decodePixels(source.blob);
  const bicubic = upscaleBicubic(sourcePixels, scale);
  signal.throwIfAborted();
  if (request.mode === 'server') {
    onStep(`Upscaling ${source.name} on the Worker…`);
    const result = await upscaleOnServer(source, scale, signal);
    const stages = result.stages.map(({ name, ms }) => `${name} ${formatMs(ms)}`).join(', ');
    return {
      source,
      sourcePixels,
      bicubic,
      wdsr: await decodePixels(result.blob),
      wdsrBlob: result.blob,
      wdsrEncodedBy: 'encoded by the Worker',
      time: `${formatMs(result.roundTripMs)} round trip${result.cacheHit ? ', answered from the Worker’s cache' : ''}; on the Worker: ${stages || 'not reported'}`,
      backend: 'server',
      where: 'on the Worker',
      ranOn: 'the Worker: onnxruntime-web on WASM',
    };
  }
  onStep('Loading onnxruntime-web and the model into this browser…');
  const upscaler = await browserUpscaler(request.backend);
  const label = upscaler.backend.backend === 'webgpu' ? 'WebGPU' : 'WASM';
  onStep(`Upscaling ${source.name} in this browser (${label})…`);
  const result = await upscaler.upscale(sourcePixels, { scale, signal, onProgress: request.onProgress });
  const loading = result.loadMs >= 1 ? `; model download and session start ${formatMs(result.loadMs)}` : '';
  return {
    source,
    sourcePixels,
    bicubic,
    wdsr: result.image,
    wdsrBlob: await encodePng(result.image),
    wdsrEncodedBy: 'PNG encoded by this browser',
    time: `inference ${formatMs(result.inferMs)}${loading}`,
    backend: upscaler.backend.backend,
    where: `in this browser with ${label}`,
    ranOn: `this browser: onnxruntime-web on ${label} (${upscaler.backend.reason})`,
  };
}
