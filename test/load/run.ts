import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Rng } from '../../training/model/rng';
import { hitRequest, LARGE_STREAMS, PHOTO_24MP_JPEG, plannedRequest, WARM_PATHS, type Kind, type PlannedRequest } from './scenario';
import { summarise } from '../support/stats';
import { LARGEST_SOURCE, startOrigin } from '../support/origin-server';
import { snapshotWorkingTree } from '../support/snapshot';
import { startWranglerDev, type WranglerDev } from '../../training/reports/workerd/wrangler-dev';
import { findWorkerd, residentMemory, resetPeakMemory } from '../../training/reports/workerd/process-memory';

/*
 * npm run test:load: the shipped Worker under `wrangler dev` on loopback, its origin a local HTTP
 * server (the Worker's assets plus painted sources at the default limits), driven by a bounded
 * number of concurrent mixed requests (cache hits, misses, errors, pass-through) while large
 * streams (24 MP thumbnails, a 2048x2048 x2 upscale to 16.8 MP) run one after another beside
 * them, then bursts of identical misses (coalescing) and requests at the limits one at a time.
 * Prints Markdown tables of latency percentiles per kind, of cache hits against the target
 * (p99 <= 250 ms, alone and while a large stream was in flight), and of the largest requests' peak
 * memory, and the unexpected responses (must be 0; exit code 1 otherwise).
 */

const { values } = parseArgs({
  options: {
    /** Mixed requests at least; the mix goes on (up to --max-requests) while large streams are still running. */
    requests: { type: 'string', default: '400' },
    'max-requests': { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '8' },
    /** Rounds of the large streams (each round: every stream of LARGE_STREAMS in turn); 0 leaves them out. */
    'large-rounds': { type: 'string', default: '1' },
    port: { type: 'string', default: '8799' },
    'deadline-s': { type: 'string', default: '420' },
    seed: { type: 'string', default: '7' },
    /** Run wrangler from the working tree itself instead of a copy made at the start (see test/support/snapshot.ts). */
    live: { type: 'boolean', default: false },
  },
});
const requests = Number(values.requests);
const maxRequests = Number(values['max-requests']);
const concurrency = Number(values.concurrency);
const deadline = Date.now() + Number(values['deadline-s']) * 1000;
const HIT_P99_TARGET_MS = 250;

interface Result {
  readonly kind: Kind | 'warm-up' | 'hit, alone' | 'burst' | 'large' | 'largest';
  readonly label?: string;
  readonly ms: number;
  /** performance.now() at the request and at the end of its body. */
  readonly start: number;
  readonly end: number;
  readonly problem: string | undefined;
  readonly cacheStatus: string | null;
}

async function send(server: WranglerDev, request: Pick<PlannedRequest, 'path' | 'check'>, kind: Result['kind'], label?: string): Promise<Result> {
  const start = performance.now();
  try {
    const response = await fetch(server.url + request.path, { signal: AbortSignal.timeout(120_000) });
    const body = new Uint8Array(await response.arrayBuffer());
    const end = performance.now();
    return { kind, label, ms: end - start, start, end, problem: request.check(response, body), cacheStatus: response.headers.get('Cache-Status') };
  } catch (error) {
    const end = performance.now();
    return { kind, label, ms: end - start, start, end, problem: `network error: ${(error as Error).message}`, cacheStatus: null };
  }
}

/** Sends `request` and hangs up once the first bytes of a 200 have arrived (its `ms`: to that moment). */
async function sendAbandoned(server: WranglerDev, request: Pick<PlannedRequest, 'path'>, label: string): Promise<Result> {
  const start = performance.now();
  const hangUp = new AbortController();
  const timeout = AbortSignal.timeout(120_000);
  try {
    const response = await fetch(server.url + request.path, { signal: AbortSignal.any([hangUp.signal, timeout]) });
    const first = await response.body!.getReader().read();
    hangUp.abort();
    const end = performance.now();
    const problem = response.status !== 200 || first.done ? `status ${response.status}, ${first.done ? 'no' : 'some'} bytes before hanging up` : undefined;
    return { kind: 'large', label, ms: end - start, start, end, problem, cacheStatus: response.headers.get('Cache-Status') };
  } catch (error) {
    const end = performance.now();
    return { kind: 'large', label, ms: end - start, start, end, problem: `network error: ${(error as Error).message}`, cacheStatus: null };
  }
}

/**
 * Runs requests with at most `concurrency` in flight, issuing nothing new after the deadline:
 * `planned` in order, then (while `goOn()` says so, up to `limit` in all) more drawn by `more`.
 */
async function pool(
  server: WranglerDev,
  planned: readonly PlannedRequest[],
  kind?: Result['kind'],
  more?: { next(n: number): PlannedRequest; goOn(): boolean; limit: number },
): Promise<Result[]> {
  const results: Result[] = [];
  let next = 0;
  const take = (): PlannedRequest | undefined => {
    if (Date.now() >= deadline) return undefined;
    if (next < planned.length) return planned[next++];
    if (more?.goOn() && next < more.limit) return more.next(next++);
    return undefined;
  };
  const worker = async () => {
    for (let request = take(); request !== undefined; request = take()) results.push(await send(server, request, kind ?? request.kind));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(0));
const ok = (r: Response) => (r.status === 200 ? undefined : `status ${r.status}`);

/** Requests at the size limits, one at a time, each with workerd's own peak memory. */
const LARGEST: readonly { readonly path: string; readonly query: string; readonly output: string }[] = [
  { path: LARGEST_SOURCE.path, query: 'upscale=2&format=webp', output: '1024x1024 translucent WebP (its limit)' },
  { path: LARGEST_SOURCE.path, query: 'upscale=2&format=png', output: '1024x1024 PNG' },
  { path: PHOTO_24MP_JPEG.path, query: 'width=640', output: '640x427 JPEG from 24 MP' },
  { path: PHOTO_24MP_JPEG.path, query: 'width=1200&height=1200&fit=cover&format=webp', output: '1200x1200 WebP from 24 MP' },
];

async function measureLargest(server: WranglerDev, workerdPid: number): Promise<{ rows: string[]; problems: string[] }> {
  const rows: string[] = [];
  const problems: string[] = [];
  for (const { path, query, output } of LARGEST) {
    resetPeakMemory(workerdPid);
    const before = residentMemory(workerdPid).rss;
    const result = await send(server, { path: `${path}?${query}&v=${Date.now()}`, check: ok }, 'largest');
    const { peak } = residentMemory(workerdPid);
    rows.push(`| \`${path}?${query}\` | ${output} | ${result.problem ?? 'ok'} | ${ms(result.ms)} | ${mb(before)} | ${mb(peak)} |`);
    if (result.problem !== undefined) problems.push(`${path}?${query}: ${result.problem}`);
  }
  return { rows, problems };
}

/** Whether `result` was in flight at some time while one of `streams` was. */
const overlaps = (result: Result, streams: readonly Result[]) => streams.some((stream) => result.start < stream.end && result.end > stream.start);

function latencyRow(label: string, rows: readonly Result[]): string {
  const s = summarise(rows.map((result) => result.ms));
  return `| ${label} | ${s.count} | ${rows.filter((r) => r.problem !== undefined).length} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.max)} |`;
}

async function main(): Promise<void> {
  const load0 = loadavg()[0]!;
  const paintStart = performance.now();
  const origin = await startOrigin([LARGEST_SOURCE, ...new Set(LARGE_STREAMS.map((stream) => stream.source))]);
  const paintSeconds = (performance.now() - paintStart) / 1000;
  // wrangler dev reloads the Worker on every source change, failing the requests in flight: run a copy of the tree as it is now.
  const home = process.cwd();
  const snapshot = values.live ? undefined : snapshotWorkingTree(home);
  if (snapshot !== undefined) process.chdir(snapshot.dir);
  const server = await startWranglerDev({ port: Number(values.port), vars: { ORIGIN: origin.url } }).catch((error: unknown) => {
    origin.close();
    snapshot?.remove();
    throw error;
  });
  // wrangler runs a second workerd for its proxy; the one on the entry socket serves the Worker.
  const workerdPid = findWorkerd(server.port);
  let peakSampled = 0;
  const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, residentMemory(workerdPid).rss)), 100);
  try {
    const idle = residentMemory(workerdPid).rss;
    const started = performance.now();
    const accept = { check: ok };
    const warm = [];
    for (const path of WARM_PATHS) warm.push(await send(server, { path, ...accept }, 'warm-up'));
    const rng = new Rng(Number(values.seed));
    const rand = () => rng.next();
    // Cache hits on their own first: what a hit costs when no inference competes for the isolate.
    const hitsAlone = await pool(
      server,
      Array.from({ length: 100 }, () => hitRequest(rand)),
      'hit, alone',
    );
    // The mix, with the large streams one after another beside it; the mix goes on while they run.
    const large: Result[] = [];
    let largeRunning = true;
    const largeLane = (async () => {
      try {
        for (let round = 0; round < Number(values['large-rounds']); round++) {
          for (const stream of LARGE_STREAMS) {
            if (Date.now() >= deadline) return;
            const request = { path: `${stream.source.path}?${stream.query}&v=large-${round}-${Date.now()}`, check: ok };
            large.push(await (stream.abandoned ? sendAbandoned(server, request, stream.label) : send(server, request, 'large', stream.label)));
          }
        }
      } finally {
        largeRunning = false;
      }
    })();
    const mixedStart = performance.now();
    const mixed = await pool(
      server,
      Array.from({ length: requests }, (_, n) => plannedRequest(n, rand)),
      undefined,
      { next: (n) => plannedRequest(n, rand), goOn: () => largeRunning, limit: maxRequests },
    );
    await largeLane;
    const mixedSeconds = (performance.now() - mixedStart) / 1000;
    const bursts: Result[] = [];
    for (let round = 0; round < 3; round++) {
      const path = `/samples/gradient-shapes.png?upscale=2&v=burst-${round}-${Date.now()}`;
      bursts.push(...(await Promise.all(Array.from({ length: concurrency }, () => send(server, { path, ...accept }, 'burst')))));
    }
    const largest = await measureLargest(server, workerdPid);
    const seconds = (performance.now() - started) / 1000;
    const all = [...warm, ...hitsAlone, ...mixed, ...large, ...bursts];
    const unexpected = all.filter((result) => result.problem !== undefined);
    const { peak } = residentMemory(workerdPid);
    const load1 = loadavg()[0]!;

    console.log(`\n# npm run test:load${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\n`);
    const code =
      snapshot === undefined
        ? 'the working tree (`--live`)'
        : `commit ${snapshot.head}${snapshot.changes.length > 0 ? ` with ${snapshot.changes.length} uncommitted changes` : ''}, copied at the start`;
    console.log(
      `${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; load average ${load0.toFixed(1)} at start, ${load1.toFixed(1)} at the end. Code: ${code}. Sources painted in ${paintSeconds.toFixed(0)} s.\n`,
    );
    console.log(
      `${all.length} requests (${warm.length} warm-up, ${hitsAlone.length} hits alone, ${mixed.length} mixed in ${mixedSeconds.toFixed(1)} s beside ${large.length} large streams, ${bursts.length} in bursts; concurrency ${concurrency}) in ${seconds.toFixed(1)} s; unexpected: ${unexpected.length}\n`,
    );
    console.log('| Kind | Requests | Unexpected | p50 ms | p90 ms | p99 ms | max ms |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const kind of ['warm-up', 'hit, alone', 'hit', 'miss', 'error', 'pass-through', 'burst'] as const)
      console.log(
        latencyRow(
          kind,
          all.filter((result) => result.kind === kind),
        ),
      );
    for (const stream of large) console.log(latencyRow(`large: ${stream.label}`, [stream]));

    const mixedHits = mixed.filter((result) => result.kind === 'hit');
    const duringLarge = mixedHits.filter((result) => overlaps(result, large));
    console.log(`\nCache hits against the target (p99 ≤ ${HIT_P99_TARGET_MS} ms), client round trips through wrangler's proxy:\n`);
    console.log('| Hits | Requests | p50 ms | p99 ms | max ms | p99 ≤ 250 ms |');
    console.log('|---|---:|---:|---:|---:|---|');
    for (const [label, rows] of [
      ['alone (no other request in flight)', hitsAlone],
      ['in the mixed phase', mixedHits],
      ['in flight while a large stream was', duringLarge],
    ] as const) {
      const s = summarise(rows.map((result) => result.ms));
      console.log(
        `| ${label} | ${s.count} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} | ${s.count === 0 ? '-' : s.p99 <= HIT_P99_TARGET_MS ? 'pass' : 'FAIL'} |`,
      );
    }
    console.log('\nCache hits of the mixed phase by the large stream they overlapped (a hit can overlap two):\n');
    console.log('| Large stream | Its time ms | Hits in flight meanwhile | p50 ms | p99 ms | max ms |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const stream of large) {
      const s = summarise(mixedHits.filter((result) => overlaps(result, [stream])).map((result) => result.ms));
      console.log(`| ${stream.label} | ${ms(stream.ms)} | ${s.count} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`);
    }
    const collapsed = bursts.filter((result) => result.cacheStatus?.includes('collapsed')).length;
    console.log(
      `\nBursts: ${bursts.length} identical concurrent misses in 3 rounds; ${bursts.length - collapsed} computed, ${collapsed} joined (Cache-Status: collapsed).`,
    );
    console.log(`workerd resident memory: ${mb(idle)} MiB after start, ${mb(peakSampled)} MiB highest sampled (100 ms), ${mb(peak)} MiB peak (VmHWM).`);
    console.log(`\nRequests at the limits, one at a time; workerd's RSS before and its peak during the request:\n`);
    console.log('| Request | Output | Result | ms | RSS before MiB | peak RSS MiB |');
    console.log('|---|---|---|---:|---:|---:|');
    for (const row of largest.rows) console.log(row);
    for (const result of unexpected.slice(0, 20)) console.log(`unexpected ${result.kind}${result.label ? ` (${result.label})` : ''}: ${result.problem}`);
    for (const problem of largest.problems) console.log(`unexpected largest: ${problem}`);
    process.exitCode = unexpected.length === 0 && largest.problems.length === 0 ? 0 : 1;
  } finally {
    clearInterval(sampler);
    await server.stop();
    origin.close();
    process.chdir(home);
    snapshot?.remove();
  }
}

await main();
