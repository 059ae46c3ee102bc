import { loadavg } from 'node:os';
import { residentMemory, resetPeakMemory } from '../../training/reports/workerd/process-memory';
import type { WranglerDev } from '../../training/reports/workerd/wrangler-dev';
import { bodyTimes, type Arrival } from './analysis';
import { heapTotal, type HeapPeak, type IsolateHeapWatch, wasmMemories } from './isolate-heap';
import type { BenchCost, BenchLimits } from './kinds';
import { parseServerTiming } from './report';
import type { BenchModel } from './native';
import type { TileSizes } from '../../src/core/tiling';

/** Bytes of body after which a response counts as carrying image data, not just headers (PNG's IDAT batching unit). */
export const FIRST_DATA_BYTES = 16 * 1024;

/** One request as the client saw it, with the Worker's own stage timings. */
export interface Sample {
  /** Round trip through wrangler's proxy, body fully read. */
  readonly ms: number;
  /** Response headers received. */
  readonly headersMs: number;
  /** First chunk of the body received (a PNG's signature and IHDR come before any pixel work). */
  readonly firstByteMs: number | undefined;
  /** {@link FIRST_DATA_BYTES} of body received: the first pixels. */
  readonly firstDataMs: number | undefined;
  /** `Server-Timing` stages, milliseconds: only those before the first byte (the body streams after the header). */
  readonly stages: ReadonlyMap<string, number>;
  readonly cacheStatus: string | null;
  readonly bytes: number;
  readonly chunks: number;
}

/**
 * The streamed work the bench Worker timed inside the isolate (`/_bench/work`, test/bench/worker):
 * what Server-Timing cannot carry, since it runs after the header has gone.
 */
interface Work {
  /** Sum of the model runs. */
  readonly inferenceMs: number;
  readonly tiles: number;
  /** Input pixels over all tiles, overlap included. */
  readonly inputPixels: number;
  /** Time in the source decoder's band pulls made by the body (strips; a source decoded whole is read before the first byte, in Server-Timing's `decode`). */
  readonly decodeMs: number;
  readonly decodeBands: number;
  /** Time inside the body's pulls: everything the stream computes (decode strips, inference, resample, encode). */
  readonly bodyMs: number;
  readonly chunks: number;
  /** ms after the request reached the Worker: the handler returned its response, the body was first pulled, its last chunk made. */
  readonly returnedAt?: number;
  readonly firstPullAt?: number;
  readonly lastChunkAt?: number;
}

/** Extra request headers choosing a benchmark variant (test/bench/worker/index.ts). */
export interface Variant {
  readonly tile?: number;
  /** A reference model instead of the served one. */
  readonly model?: Exclude<BenchModel, 'served'>;
}

/** A request that failed: its status or the body's error, and what had arrived. */
class BenchRequestError extends Error {
  override readonly name = 'BenchRequestError';
  constructor(
    message: string,
    readonly ms: number,
    readonly bytes: number,
  ) {
    super(message);
  }
}

/**
 * GETs `path` and reads the body chunk by chunk, timing its arrival. A non-200 answer, or a body
 * that fails part-way (a deadline after the first byte aborts the stream), throws a
 * {@link BenchRequestError}: a number from such a response would measure the wrong thing.
 */
export async function request(server: WranglerDev, path: string, variant: Variant = {}, timeoutMs = 180_000): Promise<Sample> {
  const headers: Record<string, string> = {};
  if (variant.tile !== undefined) headers['X-Bench-Tile'] = String(variant.tile);
  if (variant.model !== undefined) headers['X-Bench-Model'] = variant.model;
  const start = performance.now();
  const arrivals: Arrival[] = [];
  const parts: Uint8Array[] = [];
  let response: Response;
  try {
    response = await fetch(server.url + path, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new BenchRequestError(`GET ${path}: ${(error as Error).message}`, performance.now() - start, 0);
  }
  const headersMs = performance.now() - start;
  try {
    const reader = response.body!.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      arrivals.push({ ms: performance.now() - start, bytes: chunk.value.byteLength });
      if (response.status !== 200) parts.push(chunk.value);
    }
  } catch (error) {
    const got = arrivals.reduce((sum, arrival) => sum + arrival.bytes, 0);
    throw new BenchRequestError(`GET ${path}: the body failed after ${got} bytes: ${(error as Error).message}`, performance.now() - start, got);
  }
  const ms = performance.now() - start;
  const times = bodyTimes(arrivals, FIRST_DATA_BYTES);
  if (response.status !== 200)
    throw new BenchRequestError(`GET ${path}: status ${response.status}: ${Buffer.concat(parts).toString('utf8').slice(0, 300)}`, ms, times.bytes);
  return {
    ms,
    headersMs,
    firstByteMs: times.firstByteMs,
    firstDataMs: times.thresholdMs,
    stages: parseServerTiming(response.headers.get('Server-Timing')),
    cacheStatus: response.headers.get('Cache-Status'),
    bytes: times.bytes,
    chunks: arrivals.length,
  };
}

/** The `waitUntil` durations the bench Worker recorded since the last call, waiting up to 10 s for `count` of them. */
async function background(server: WranglerDev, count: number): Promise<number[]> {
  const durations: number[] = [];
  const deadline = Date.now() + 10_000;
  while (durations.length < count && Date.now() < deadline) {
    durations.push(...((await (await fetch(`${server.url}/_bench/background`)).json()) as number[]));
    if (durations.length < count) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return durations;
}

/** onnxruntime's WebAssembly heap in the bench Worker's isolate, bytes (0 before the first session). */
export async function ortHeap(server: WranglerDev): Promise<number> {
  return (await wasmMemories(server)).onnxruntime ?? 0;
}

/** The streamed work since the last call (the bench Worker forgets it on reading). */
async function work(server: WranglerDev): Promise<Work> {
  return (await (await fetch(`${server.url}/_bench/work`)).json()) as Work;
}

/** The settings the bench Worker runs with. */
export interface WorkerConfig {
  readonly tileSize: TileSizes;
  readonly limits: BenchLimits;
  readonly cost: BenchCost;
  readonly deadlineMs: number;
  /** The isolate's name: another one after `wrangler dev` reloaded the Worker (a source file changed). */
  readonly isolate: string;
}

export async function workerConfig(server: WranglerDev): Promise<WorkerConfig> {
  return (await (await fetch(`${server.url}/_bench/config`)).json()) as WorkerConfig;
}

let unique = 0;

/** `path?query` with a fresh origin query, so that it is a new cache key: a miss. */
export function missPath(sourcePath: string, query: string): string {
  return `${sourcePath}?${query}&v=bench-${process.pid}-${unique++}`;
}

/** One measured request: what the client saw, the isolate's memory, the streamed work and the cache put. */
export interface Run {
  readonly path: string;
  /** Undefined when the request failed (see {@link failure}). */
  readonly sample: Sample | undefined;
  readonly failure: string | undefined;
  /** The failed request's time, or the sample's. */
  readonly ms: number;
  /** Largest reading during the request and its cache put (JS heap, ArrayBuffers and WebAssembly memories). */
  readonly peak: HeapPeak | undefined;
  /** onnxruntime's heap after the request. */
  readonly ortHeap: number;
  /** The streamed work the Worker timed: inference, decode strips, the body's pulls. */
  readonly work: Work;
  /** The cache put (after the response), ms; undefined when not stored. */
  readonly put: number | undefined;
  /** workerd's resident peak (VmHWM) during the request. */
  readonly peakRss: number;
  /** 1-minute load average before and after. */
  readonly load: readonly [number, number];
}

/** The isolate's peak for a run: its largest reading, WebAssembly memories included. */
export function isolatePeak(run: Run): number | undefined {
  return run.peak === undefined ? undefined : heapTotal(run.peak);
}

/**
 * One request of `path` (a miss, unless it is a hit on purpose), with the isolate's memory read
 * throughout when `watch` is given (the request and its cache put), the work it caused, and
 * workerd's resident peak (reset first). With `collectGarbageFirst`, a full collection before it
 * leaves the isolate's peak to this request alone, not to the garbage of what ran before it.
 */
export async function measure(
  server: WranglerDev,
  workerdPid: number,
  path: string,
  options: { readonly watch?: IsolateHeapWatch; readonly collectGarbageFirst?: boolean; readonly variant?: Variant } = {},
): Promise<Run> {
  await work(server); // forget earlier requests' work
  if (options.collectGarbageFirst) await options.watch!.collectGarbage();
  resetPeakMemory(workerdPid);
  const load0 = loadavg()[0]!;
  let sample: Sample | undefined;
  let failure: string | undefined;
  let failedMs = 0;
  let put: number | undefined;
  const send = async () => {
    try {
      sample = await request(server, path, options.variant);
      // The cache put runs after the response; it is read too.
      if (sample.cacheStatus?.includes('stored')) put = (await background(server, 1))[0];
    } catch (error) {
      if (!(error instanceof BenchRequestError)) throw error;
      failure = error.message;
      failedMs = error.ms;
    }
  };
  let peak: HeapPeak | undefined;
  if (options.watch === undefined) await send();
  else peak = (await options.watch.during(send)).peak;
  return {
    path,
    sample,
    failure,
    ms: sample?.ms ?? failedMs,
    peak,
    ortHeap: await ortHeap(server),
    work: await work(server),
    put,
    peakRss: residentMemory(workerdPid).peak,
    load: [load0, loadavg()[0]!],
  };
}

/** `runs` requests of a stored rendition, each of which must be a cache hit. */
export async function hits(server: WranglerDev, path: string, runs: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let run = 0; run < runs; run++) {
    const sample = await request(server, path);
    if (sample.cacheStatus !== 'wdsr-edge; hit') throw new Error(`GET ${path}: expected a hit, got Cache-Status ${sample.cacheStatus}`);
    samples.push(sample);
  }
  return samples;
}

/**
 * Round trips of `/_bench/config`, a tiny JSON answer from the bench Worker: the floor that
 * wrangler's proxy, loopback and the client add to every request.
 */
export async function floor(server: WranglerDev, runs: number): Promise<number[]> {
  const ms: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await (await fetch(`${server.url}/_bench/config`)).arrayBuffer();
    ms.push(performance.now() - start);
  }
  return ms;
}

/** The samples' values of one `Server-Timing` stage (requests without it are left out). */
export function stage(samples: readonly Sample[], name: string): number[] {
  return samples.flatMap((sample) => (sample.stages.has(name) ? [sample.stages.get(name)!] : []));
}
