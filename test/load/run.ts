import { parseArgs } from 'node:util';
import { Rng } from '../../training/data/rng';
import { hitRequest, plannedRequest, WARM_PATHS, type Kind, type PlannedRequest } from './scenario';
import { summarise } from '../support/stats';
import { LARGEST_SOURCE, startOrigin } from '../support/origin-server';
import { startWranglerDev, type WranglerDev } from '../../training/workerd/wrangler-dev';
import { findWorkerd, residentMemory, resetPeakMemory } from '../../training/workerd/process-memory';

/*
 * npm run test:load: the shipped Worker under `wrangler dev` on loopback, its origin a local HTTP
 * server (the Worker's assets plus one source at the size limit), driven by a bounded number of
 * concurrent mixed requests (cache hits, misses, errors, pass-through), bursts of identical misses
 * (coalescing), and requests at the limits one at a time. Prints Markdown tables of latency
 * percentiles per kind and of the largest requests' peak memory, and the unexpected responses
 * (must be 0; exit code 1 otherwise).
 */

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '8' },
    port: { type: 'string', default: '8799' },
    'deadline-s': { type: 'string', default: '300' },
    seed: { type: 'string', default: '7' },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const deadline = Date.now() + Number(values['deadline-s']) * 1000;

interface Result {
  readonly kind: Kind | 'warm-up' | 'hit, alone' | 'burst' | 'largest';
  readonly ms: number;
  readonly problem: string | undefined;
  readonly cacheStatus: string | null;
}

async function send(server: WranglerDev, request: Pick<PlannedRequest, 'path' | 'check'>, kind: Result['kind']): Promise<Result> {
  const start = performance.now();
  try {
    const response = await fetch(server.url + request.path, { signal: AbortSignal.timeout(120_000) });
    const body = new Uint8Array(await response.arrayBuffer());
    return { kind, ms: performance.now() - start, problem: request.check(response, body), cacheStatus: response.headers.get('Cache-Status') };
  } catch (error) {
    return { kind, ms: performance.now() - start, problem: `network error: ${(error as Error).message}`, cacheStatus: null };
  }
}

/** Runs `planned` with at most `concurrency` in flight, issuing nothing new after the deadline. */
async function pool(server: WranglerDev, planned: readonly PlannedRequest[], kind?: Result['kind']): Promise<Result[]> {
  const results: Result[] = [];
  let next = 0;
  const worker = async () => {
    while (next < planned.length && Date.now() < deadline) {
      const request = planned[next++]!;
      results.push(await send(server, request, kind ?? request.kind));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(0));

/** Requests at the size limits, one at a time, each with workerd's own peak memory. */
const LARGEST: readonly { readonly query: string; readonly size: readonly [number, number] }[] = [
  { query: 'upscale=2&format=webp', size: [1254, 1254] },
  { query: 'upscale=2&format=png', size: [1254, 1254] },
  { query: 'width=1200&format=webp', size: [1200, 1200] },
  { query: 'width=1254&height=700&fit=cover&format=jpeg', size: [1254, 700] },
  { query: 'width=300&format=webp', size: [300, 300] },
];

async function measureLargest(server: WranglerDev, workerdPid: number): Promise<{ rows: string[]; problems: string[] }> {
  const rows: string[] = [];
  const problems: string[] = [];
  for (const { query, size } of LARGEST) {
    resetPeakMemory(workerdPid);
    const before = residentMemory(workerdPid).rss;
    const check = (r: Response) => (r.status === 200 ? undefined : `status ${r.status}`);
    const result = await send(server, { path: `${LARGEST_SOURCE.path}?${query}&v=${Date.now()}`, check }, 'largest');
    const { peak } = residentMemory(workerdPid);
    rows.push(`| \`${query}\` | ${size.join('x')} | ${result.problem ?? 'ok'} | ${ms(result.ms)} | ${mb(before)} | ${mb(peak)} |`);
    if (result.problem !== undefined) problems.push(`${query}: ${result.problem}`);
  }
  return { rows, problems };
}

async function main(): Promise<void> {
  const origin = await startOrigin();
  const server = await startWranglerDev({ port: Number(values.port), vars: { ORIGIN: origin.url } }).catch((error: unknown) => {
    origin.close();
    throw error;
  });
  // wrangler runs a second workerd for its proxy; the one on the entry socket serves the Worker.
  const workerdPid = findWorkerd(server.port);
  let peakSampled = 0;
  const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, residentMemory(workerdPid).rss)), 100);
  try {
    const idle = residentMemory(workerdPid).rss;
    const started = performance.now();
    const accept = { check: (r: Response) => (r.status === 200 ? undefined : `status ${r.status}`) };
    const warm = [];
    for (const path of WARM_PATHS) warm.push(await send(server, { path, ...accept }, 'warm-up'));
    const rng = new Rng(Number(values.seed));
    const rand = () => rng.next();
    // Cache hits on their own first: what a hit costs when no inference competes for the isolate.
    const hitsAlone = await pool(server, Array.from({ length: 100 }, () => hitRequest(rand)), 'hit, alone');
    const mixed = await pool(server, Array.from({ length: requests }, (_, n) => plannedRequest(n, rand)));
    const bursts: Result[] = [];
    for (let round = 0; round < 3; round++) {
      const path = `/samples/gradient-shapes.png?upscale=2&v=burst-${round}-${Date.now()}`;
      bursts.push(...(await Promise.all(Array.from({ length: concurrency }, () => send(server, { path, ...accept }, 'burst')))));
    }
    const largest = await measureLargest(server, workerdPid);
    const seconds = (performance.now() - started) / 1000;
    const all = [...warm, ...hitsAlone, ...mixed, ...bursts];
    const unexpected = all.filter((result) => result.problem !== undefined);
    const { peak } = residentMemory(workerdPid);

    console.log(`\n${all.length} requests (${warm.length} warm-up, ${hitsAlone.length} hits alone, ${mixed.length} mixed, ${bursts.length} in bursts; concurrency ${concurrency}) in ${seconds.toFixed(1)} s; unexpected: ${unexpected.length}\n`);
    console.log('| Kind | Requests | Unexpected | p50 ms | p90 ms | p99 ms | max ms |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const kind of ['warm-up', 'hit, alone', 'hit', 'miss', 'error', 'pass-through', 'burst'] as const) {
      const rows = all.filter((result) => result.kind === kind);
      const s = summarise(rows.map((result) => result.ms));
      console.log(`| ${kind} | ${s.count} | ${rows.filter((r) => r.problem !== undefined).length} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.max)} |`);
    }
    const collapsed = bursts.filter((result) => result.cacheStatus?.includes('collapsed')).length;
    console.log(`\nBursts: ${bursts.length} identical concurrent misses in 3 rounds; ${bursts.length - collapsed} computed, ${collapsed} joined (Cache-Status: collapsed).`);
    console.log(`workerd resident memory: ${mb(idle)} MiB after start, ${mb(peakSampled)} MiB highest sampled (100 ms), ${mb(peak)} MiB peak (VmHWM).`);
    console.log(`\nThe largest source (${LARGEST_SOURCE.width}x${LARGEST_SOURCE.height}, translucent PNG), one request at a time; workerd's RSS before and its peak during the request:\n`);
    console.log('| Query | Output | Result | ms | RSS before MiB | peak RSS MiB |');
    console.log('|---|---|---|---:|---:|---:|');
    for (const row of largest.rows) console.log(row);
    for (const result of unexpected.slice(0, 20)) console.log(`unexpected ${result.kind}: ${result.problem}`);
    for (const problem of largest.problems) console.log(`unexpected largest: ${problem}`);
    process.exitCode = unexpected.length === 0 && largest.problems.length === 0 ? 0 : 1;
  } finally {
    clearInterval(sampler);
    await server.stop();
    origin.close();
  }
}

await main();
