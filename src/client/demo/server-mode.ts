import { UPLOAD_PATH } from '../../http/routes';
import { parseServerTiming, type ServerTimingStage } from './format';
import type { ImageSource } from './source';

export interface ServerUpscale {
  /** The Worker's response body: the upscaled image, encoded in the source's format. */
  readonly blob: Blob;
  /** From sending the request to having the whole body, in this page. */
  readonly roundTripMs: number;
  /** The Worker's own stage timings (`Server-Timing`). */
  readonly stages: readonly ServerTimingStage[];
  /** The Worker answered from its cache (`Cache-Status: ...; hit`). */
  readonly cacheHit: boolean;
}

/**
 * Upscales `source` on the Worker: a sample with `GET <path>?upscale=N` (the service's public
 * API), an upload with `POST /_wdsr/upscale?upscale=N`. The browser's HTTP cache is bypassed so
 * that every run reaches the Worker and the time shown is the Worker's.
 *
 * @example
 * const { blob, stages } = await upscaleOnServer(source, 2, signal);
 */
export async function upscaleOnServer(source: ImageSource, scale: number, signal: AbortSignal): Promise<ServerUpscale> {
  const started = performance.now();
  const url = new URL(source.kind === 'sample' ? source.path : UPLOAD_PATH, location.href);
  url.searchParams.set('upscale', String(scale));
  const response =
    source.kind === 'sample'
      ? await fetch(url, { cache: 'no-store', signal })
      : await fetch(url, { method: 'POST', body: source.blob, cache: 'no-store', signal });
  if (!response.ok) throw new Error(await errorMessage(response));
  const blob = await response.blob();
  return {
    blob,
    roundTripMs: performance.now() - started,
    stages: parseServerTiming(response.headers.get('Server-Timing')),
    cacheHit: /;\s*hit\b/.test(response.headers.get('Cache-Status') ?? ''),
  };
}

/** The service's JSON error (`{"error":{"code","message"}}`) as one line, or the bare status. */
async function errorMessage(response: Response): Promise<string> {
  const body = (await response.json().catch(() => undefined)) as { error?: { code?: unknown; message?: unknown } } | undefined;
  const { code, message } = body?.error ?? {};
  return typeof message === 'string' ? `the Worker answered ${response.status} ${String(code)}: ${message}` : `the Worker answered ${response.status}`;
}
