import { loadavg } from 'node:os';
import { residentMemory, resetPeakMemory } from '../../training/workerd/process-memory';
import type { WranglerDev } from '../../training/workerd/wrangler-dev';
import { heapTotal, type HeapPeak, type IsolateHeapWatch } from './isolate-heap';
import { parseServerTiming } from './report';
import type { BenchModel } from './native';

/** One request as the client saw it, with the Worker's own stage timings. */
export interface Sample {
  /** Round trip through wrangler's proxy, body read included. */
  readonly ms: number;
  /** `Server-Timing` stages, milliseconds. */
  readonly stages: ReadonlyMap<string, number>;
  readonly cacheStatus: string | null;
  readonly bytes: number;
}

/** A group of identical requests, with workerd's peak memory while they ran. */
export interface Group {
  readonly samples: readonly Sample[];
  /** Work the Worker handed to `waitUntil` (the cache put), per request. */
  readonly background: readonly number[];
  /** workerd's resident memory peak (`VmHWM`) over the group, bytes. */
  readonly peakRss: number;
  /** onnxruntime's WebAssembly heap after the group, bytes (it never shrinks). */
  readonly ortHeap: number;
  /** The isolate's largest inspector reading over the group (JS heap + buffers, without onnxruntime's shared heap; see isolate-heap.ts); misses only. */
  readonly isolatePeak?: HeapPeak;
  /** 1-minute load average at the start and the end of the group. */
  readonly load: readonly [number, number];
}

/** Extra request headers choosing a benchmark variant (test/bench/worker/index.ts). */
export interface Variant {
  readonly tile?: number;
  /** A reference model instead of the served one. */
  readonly model?: Exclude<BenchModel, 'served'>;
}

/**
 * GETs `path`; a non-200 answer fails the benchmark (a number from an error response would
 * measure the wrong thing).
 */
export async function request(server: WranglerDev, path: string, variant: Variant = {}): Promise<Sample> {
  const headers: Record<string, string> = {};
  if (variant.tile !== undefined) headers['X-Bench-Tile'] = String(variant.tile);
  if (variant.model !== undefined) headers['X-Bench-Model'] = variant.model;
  const start = performance.now();
  const response = await fetch(server.url + path, { headers, signal: AbortSignal.timeout(120_000) });
  const body = await response.arrayBuffer();
  const ms = performance.now() - start;
  if (response.status !== 200) throw new Error(`GET ${path}: status ${response.status}: ${new TextDecoder().decode(body).slice(0, 300)}`);
  return { ms, stages: parseServerTiming(response.headers.get('Server-Timing')), cacheStatus: response.headers.get('Cache-Status'), bytes: body.byteLength };
}

/** The `waitUntil` durations the bench Worker recorded since the last call, waiting up to 5 s for `count` of them. */
async function background(server: WranglerDev, count: number): Promise<number[]> {
  const durations: number[] = [];
  const deadline = Date.now() + 5000;
  while (durations.length < count && Date.now() < deadline) {
    durations.push(...((await (await fetch(`${server.url}/_bench/background`)).json()) as number[]));
    if (durations.length < count) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return durations;
}

/** onnxruntime's WebAssembly heap in the bench Worker's isolate, bytes (0 before the first session). */
export async function ortHeap(server: WranglerDev): Promise<number> {
  const memories = (await (await fetch(`${server.url}/_bench/memory`)).json()) as Record<string, number>;
  return memories.onnxruntime ?? 0;
}

let unique = 0;

/** One cache miss of `query` on `sourcePath` (a fresh origin query makes a new cache key). */
async function miss(server: WranglerDev, sourcePath: string, query: string, variant: Variant): Promise<Sample & { readonly path: string }> {
  const path = `${sourcePath}?${query}&v=bench-${process.pid}-${unique++}`;
  const sample = await request(server, path, variant);
  if (!sample.cacheStatus?.startsWith('wdsr-edge; fwd=')) throw new Error(`GET ${path}: expected a miss, got Cache-Status ${sample.cacheStatus}`);
  return { ...sample, path };
}

/**
 * `runs` cache misses of `query` on `sourcePath`, one at a time, each followed by collecting its
 * cache put's duration when the request is cached, with the isolate's memory read throughout
 * (`watch`). workerd's memory peak is reset first, so the group's peak is its own. With
 * `collectGarbageFirst`, a full collection before each miss leaves the isolate's peak to that miss
 * alone, not to the garbage of what ran before it.
 */
export async function misses(
  server: WranglerDev,
  workerdPid: number,
  watch: IsolateHeapWatch,
  sourcePath: string,
  query: string,
  runs: number,
  collectGarbageFirst = false,
): Promise<Group & { readonly lastPath: string }> {
  resetPeakMemory(workerdPid);
  const load0 = loadavg()[0]!;
  const samples: (Sample & { readonly path: string })[] = [];
  const puts: number[] = [];
  let isolatePeak: HeapPeak | undefined;
  let readings = 0;
  for (let run = 0; run < runs; run++) {
    if (collectGarbageFirst) await watch.collectGarbage();
    // The cache put runs after the response, so it is read too.
    const { result: sample, peak } = await watch.during(async () => {
      const missed = await miss(server, sourcePath, query, {});
      if (missed.cacheStatus!.includes('stored')) puts.push(...(await background(server, 1)));
      return missed;
    });
    samples.push(sample);
    readings += peak.readings;
    if (isolatePeak === undefined || heapTotal(peak) > heapTotal(isolatePeak)) isolatePeak = peak;
  }
  return { samples, background: puts, peakRss: residentMemory(workerdPid).peak, ortHeap: await ortHeap(server), isolatePeak: { ...isolatePeak!, readings }, load: [load0, loadavg()[0]!], lastPath: samples[samples.length - 1]!.path };
}

/**
 * `runs` rounds of uncached misses, one per variant in turn, so that the background load, which
 * drifts by the minute on a shared machine, weighs on every variant alike. Per variant, its samples.
 */
export async function interleavedMisses(server: WranglerDev, sourcePath: string, query: string, runs: number, variants: readonly Variant[]): Promise<Sample[][]> {
  const samples = variants.map((): Sample[] => []);
  for (let run = 0; run < runs; run++) {
    for (const [i, variant] of variants.entries()) samples[i]!.push(await miss(server, sourcePath, query, variant));
  }
  return samples;
}

/** `runs` requests of a stored rendition, each of which must be a cache hit. */
export async function hits(server: WranglerDev, workerdPid: number, path: string, runs: number): Promise<Group> {
  resetPeakMemory(workerdPid);
  const load0 = loadavg()[0]!;
  const samples: Sample[] = [];
  for (let run = 0; run < runs; run++) {
    const sample = await request(server, path);
    if (sample.cacheStatus !== 'wdsr-edge; hit') throw new Error(`GET ${path}: expected a hit, got Cache-Status ${sample.cacheStatus}`);
    samples.push(sample);
  }
  return { samples, background: [], peakRss: residentMemory(workerdPid).peak, ortHeap: await ortHeap(server), load: [load0, loadavg()[0]!] };
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
