import { SAMPLES } from '../support/samples/catalog';
import type { PaintedSource } from '../support/origin-server';

/** The kinds of request the load test mixes, each with its own latency row. */
export type Kind = 'hit' | 'miss' | 'error' | 'pass-through';

export interface PlannedRequest {
  readonly kind: Kind;
  readonly path: string;
  /** Why the response is not what this request must get; `undefined` when it is. */
  check(response: Response, body: Uint8Array): string | undefined;
}

/** A large stream of the mixed phase: a request at the default limits, one at a time beside the mix. */
export interface LargeStream {
  readonly label: string;
  readonly source: PaintedSource;
  readonly query: string;
  /**
   * The client hangs up after the first bytes, as a browser leaving the page does: the streams
   * after it must not wait on the request it abandoned (which may have been waiting for a turn).
   */
  readonly abandoned?: boolean;
}

/** A 24 MP camera frame (6000x4000), the largest source the default limits decode in strips, as baseline JPEG and PNG. */
export const PHOTO_24MP_JPEG: PaintedSource = { path: '/photo-6000x4000.jpg', width: 6000, height: 4000, translucent: false, encoding: 'jpeg', style: 'photo' };
const PHOTO_24MP_PNG: PaintedSource = { ...PHOTO_24MP_JPEG, path: '/photo-6000x4000.png', encoding: 'png' };
/** The largest upscale source: 2048x2048, x2 to the 16 MiP output limit. */
const PHOTO_2048_PNG: PaintedSource = { path: '/photo-2048.png', width: 2048, height: 2048, translucent: false, encoding: 'png', style: 'photo' };

/**
 * The large streams that run, one after another, while the mixed phase goes on (sized for the
 * default limits, src/config.ts): thumbnails of 24 MP sources and a 2048x2048 x2 upscale to
 * 16.8 MP, whose inference and encoding share the isolate with the cache hits around them, after
 * one such upscale that its client abandons.
 */
export const LARGE_STREAMS: readonly LargeStream[] = [
  { label: '2048x2048 PNG x2, abandoned after its first bytes', source: PHOTO_2048_PNG, query: 'upscale=2&format=png', abandoned: true },
  { label: '24 MP JPEG → width=640', source: PHOTO_24MP_JPEG, query: 'width=640' },
  { label: '2048x2048 PNG x2 → 4096x4096 PNG', source: PHOTO_2048_PNG, query: 'upscale=2&format=png' },
  { label: '24 MP PNG → width=640', source: PHOTO_24MP_PNG, query: 'width=640' },
  { label: '24 MP JPEG → width=1280 WebP', source: PHOTO_24MP_JPEG, query: 'width=1280&format=webp' },
];

/** Renditions warmed before the mixed phase, so that requesting them again must hit the cache. */
export const WARM_PATHS: readonly string[] = SAMPLES.flatMap(({ file }) => [`/samples/${file}?upscale=2`, `/samples/${file}?width=240&format=webp`]);

/** Share of each kind in the mixed phase. */
const MIX: Readonly<Record<Kind, number>> = { hit: 0.45, miss: 0.15, error: 0.3, 'pass-through': 0.1 };

const ERRORS: readonly { readonly path: (n: number) => string; readonly status: number; readonly code: string }[] = [
  { path: (n) => `/samples/missing-${n}.png?upscale=2`, status: 404, code: 'origin_not_found' },
  { path: () => '/samples/gradient-shapes.png?upscale=5', status: 400, code: 'invalid_parameter' },
  { path: () => '/index.html?upscale=2', status: 415, code: 'unsupported_image' },
  { path: () => '/%2F%2Fevil.test/a.png?upscale=2', status: 400, code: 'invalid_path' },
  { path: () => '/samples/gradient-shapes.png?width=16000&height=16000&fit=cover', status: 422, code: 'image_too_large' },
];

/**
 * Request `n` of the mixed phase, drawn by `rand` (seeded, so runs are comparable): a cache hit on
 * a warmed rendition, a miss (a fresh origin query makes a new cache key), an error of each
 * client-visible kind, or a pass-through of a sample as it is.
 */
export function plannedRequest(n: number, rand: () => number): PlannedRequest {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const draw = rand();
  const kind: Kind = draw < MIX.hit ? 'hit' : draw < MIX.hit + MIX.miss ? 'miss' : draw < MIX.hit + MIX.miss + MIX.error ? 'error' : 'pass-through';
  const sample = pick(SAMPLES).file;
  switch (kind) {
    case 'hit':
      return hitRequest(rand);
    case 'miss': {
      const query = n % 2 === 0 ? 'upscale=2' : 'width=300&height=200&fit=cover';
      return {
        kind,
        path: `/samples/${sample}?v=load-${n}&${query}`,
        check: (r) =>
          expectImage(r) ??
          (r.headers.get('Cache-Status')?.startsWith('wdsr-edge; fwd=uri-miss') ? undefined : `Cache-Status ${r.headers.get('Cache-Status')}`),
      };
    }
    case 'error': {
      const error = pick(ERRORS);
      return { kind, path: error.path(n), check: (r, body) => expectError(r, body, error.status, error.code) };
    }
    case 'pass-through':
      return { kind, path: `/samples/${sample}`, check: (r) => expectImage(r) };
  }
}

/** A request for a warmed rendition, which must be answered from the cache. */
export function hitRequest(rand: () => number): PlannedRequest {
  const path = WARM_PATHS[Math.floor(rand() * WARM_PATHS.length)]!;
  return {
    kind: 'hit',
    path,
    check: (r) => expectImage(r) ?? (r.headers.get('Cache-Status') === 'wdsr-edge; hit' ? undefined : `Cache-Status ${r.headers.get('Cache-Status')}`),
  };
}

function expectImage(response: Response): string | undefined {
  if (response.status !== 200) return `status ${response.status}`;
  const type = response.headers.get('Content-Type') ?? '';
  return type.startsWith('image/') ? undefined : `Content-Type ${type}`;
}

function expectError(response: Response, body: Uint8Array, status: number, code: string): string | undefined {
  if (response.status !== status) return `status ${response.status}, expected ${status}`;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body)) as { error?: { code?: string } };
    return parsed.error?.code === code ? undefined : `code ${parsed.error?.code}, expected ${code}`;
  } catch {
    return 'error body is not JSON';
  }
}
