import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import manifestJson from '../../model/manifest.json';
import { LARGEST_SOURCE, startOrigin, type PaintedSource } from '../support/origin-server';
import { findWorkerd, residentMemory } from '../../training/workerd/process-memory';
import { shareAutogroupNice } from '../../training/workerd/scheduling';
import { summarise } from '../support/stats';
import { startWranglerDev, type WranglerDev } from '../../training/workerd/wrangler-dev';
import { measureBundle } from './bundle';
import { heapTotal, watchIsolateHeap, type IsolateHeapWatch } from './isolate-heap';
import { BENCH_MODELS, benchModelLabel, measureNative, measureSessionOptions, servedModel, SESSION_VARIANTS, type NativeRow } from './native';
import { formatMiB, formatMs, markdownTable, p50p90 } from './report';
import { floor, hits, interleavedMisses, misses, ortHeap, request, stage, type Group, type Sample, type Variant } from './workerd';

/*
 * npm run bench: the cost of an upscale in workerd (the shipped Worker under `wrangler dev`,
 * through test/bench/worker/index.ts, which only observes it), stage by stage, beside the same
 * model in native onnxruntime. Prints Markdown tables (docs/benchmarks.md holds a run of them).
 * Every figure is a measurement of this run; percentiles are nearest-rank over the runs.
 */

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    hits: { type: 'string', default: '30' },
    sizes: { type: 'string', default: '128,256,512,627' },
    tiles: { type: 'string', default: '96,128,192' },
    'cold-starts': { type: 'string', default: '3' },
    'native-runs': { type: 'string', default: '3' },
    'skip-native': { type: 'boolean', default: false },
    'skip-bundle': { type: 'boolean', default: false },
    'skip-variants': { type: 'boolean', default: false },
    'skip-sessions': { type: 'boolean', default: false },
    /** The session-options comparison's input: an interior tile's read window at the default TILE_SIZE, 128 (128 + 2 x 10). */
    window: { type: 'string', default: '148' },
  },
});
const runs = Number(values.runs);
const sizes = values.sizes.split(',').map(Number);
const tiles = values.tiles.split(',').map(Number);
const model = servedModel();
/** The size the targets name (512x512 to 1024x1024), when benchmarked; else the largest one. */
const focus = sizes.includes(512) ? 512 : Math.max(...sizes);
const scale = model.scale;

const opaqueSource = (size: number): PaintedSource => ({ path: `/bench-${size}.png`, width: size, height: size, translucent: false });
const upscaleQuery = (format: string, at = scale) => `upscale=${at}&format=${format}`;
/** The other shipped scales (x4): each served at every benchmarked size whose output the limit accepts, and at the largest it accepts. */
const otherScales = manifestJson.models.map((entry) => entry.scale).filter((other) => other !== scale).sort((a, b) => a - b);
/** The Worker's default MAX_OUTPUT_PIXELS (src/config.ts, which needs Workers types to compile); checked against the running Worker's. */
const OUTPUT_PIXELS = 1536 * 1024;
const largestAt = (at: number): PaintedSource => {
  const side = Math.floor(Math.sqrt(OUTPUT_PIXELS) / at);
  return { path: `/largest-x${at}.png`, width: side, height: side, translucent: true };
};
const load = () => loadavg()[0]!.toFixed(1);
/** The isolate's memory peak over a group: the inspector's largest reading plus onnxruntime's shared heap, which it leaves out. */
const isolatePeakBytes = (group: Group): number | undefined => (group.isolatePeak === undefined ? undefined : heapTotal(group.isolatePeak) + group.ortHeap);
const loads = (group: Group) => `${group.load[0].toFixed(1)}-${group.load[1].toFixed(1)}`;

interface MissRow {
  readonly label: string;
  readonly format: string;
  readonly group: Group;
}

async function startServer(originUrl: string): Promise<{ server: WranglerDev; pid: number; watch: IsolateHeapWatch }> {
  const server = await startWranglerDev({ script: 'test/bench/worker/index.ts', vars: { ORIGIN: originUrl } });
  try {
    const pid = findWorkerd(server.port);
    shareAutogroupNice(pid);
    return { server, pid, watch: await watchIsolateHeap(server) };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** The first rendition request of a fresh isolate (wrangler's readiness probe, a pass-through, came first). */
async function coldRequest(server: WranglerDev, size: number): Promise<Sample> {
  return request(server, `${opaqueSource(size).path}?${upscaleQuery('png')}&v=cold-${Date.now()}`);
}

function missTable(rows: readonly MissRow[]): string {
  const stages = ['cache', 'fetch', 'model', 'decode', 'infer', 'encode'];
  return markdownTable(
    ['Request', 'Format', 'Runs', 'Total p50 / p90 ms', ...stages.map((name) => `${name} ms`), 'cache put ms', 'Peak RSS MiB', 'Isolate peak MiB', 'ORT heap MiB', 'Load'],
    rows.map(({ label, format, group }) => [
      label,
      format,
      String(group.samples.length),
      p50p90(group.samples.map((sample) => sample.ms)),
      ...stages.map((name) => p50p90(stage(group.samples, name))),
      p50p90(group.background),
      formatMiB(group.peakRss),
      isolatePeakBytes(group) === undefined ? '-' : formatMiB(isolatePeakBytes(group)!),
      formatMiB(group.ortHeap),
      loads(group),
    ]),
    ['Runs', 'Total p50 / p90 ms', 'Peak RSS MiB', 'Isolate peak MiB', 'ORT heap MiB'],
  );
}

function nativeTable(native: readonly NativeRow[], workerdInfer: ReadonlyMap<string, number[]>, tileSize: number): string {
  const find = (size: number, model: string, runtime: string) => native.find((row) => row.size === size && row.model === model && row.runtime === runtime)?.ms;
  const rows = [...new Set(native.map((row) => row.size))].flatMap((size) =>
    BENCH_MODELS.map((model) => {
      const nativeMs = find(size, model, 'onnxruntime-node')!;
      const webMs = find(size, model, 'onnxruntime-web')!;
      const infer = workerdInfer.get(`${size}/${model}`);
      const inferP50 = infer === undefined ? undefined : summarise(infer).p50;
      return [
        `${size}x${size}`,
        benchModelLabel(model),
        formatMs(nativeMs),
        formatMs(webMs),
        (webMs / nativeMs).toFixed(1),
        inferP50 === undefined ? '-' : formatMs(inferP50),
        inferP50 === undefined ? '-' : (inferP50 / nativeMs).toFixed(1),
      ];
    }),
  );
  return markdownTable(
    ['Input', 'Model', 'native ms', 'WASM in Node ms', 'WASM / native', `workerd infer p50 ms (tile ${tileSize})`, 'workerd / native'],
    rows,
    ['native ms', 'WASM in Node ms', 'WASM / native', `workerd infer p50 ms (tile ${tileSize})`, 'workerd / native'],
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`# npm run bench, ${new Date().toISOString()}\n`);
  console.log(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; load average at start ${load()}; ${readFileSync('/proc/self/autogroup', 'utf8').trim()} (workerd's session gets the same). Model ${model.file} (${model.precision}, x${scale}).\n`);

  if (!values['skip-bundle']) {
    const files = measureBundle();
    const total = files.reduce((sum, file) => ({ bytes: sum.bytes + file.bytes, gzip: sum.gzip + file.gzipBytes }), { bytes: 0, gzip: 0 });
    console.log('## Bundle (`wrangler deploy --dry-run`)\n');
    const kib = (bytes: number) => (bytes / 1024).toFixed(0);
    console.log(markdownTable(['File', 'KiB', 'gzip KiB'], [...files.map((file) => [file.path.replace(/^[0-9a-f]{40}-/, ''), kib(file.bytes), kib(file.gzipBytes)]), ['total', kib(total.bytes), kib(total.gzip)]], ['KiB', 'gzip KiB']));
    console.log();
  }

  // Native first, alone: the workerd phases would compete with it for the two cores.
  const native = values['skip-native'] ? [] : await measureNative(sizes, Number(values['native-runs']));
  const sessionWindow = Number(values.window);
  const sessionTimes = values['skip-sessions'] ? [] : await measureSessionOptions(sessionWindow, 2 * runs);

  const sources = [...sizes.map(opaqueSource), LARGEST_SOURCE, ...otherScales.map(largestAt)];
  const origin = await startOrigin(sources);
  let { server, pid, watch } = await startServer(origin.url);
  try {
    const idleRss = residentMemory(pid).rss;
    const { tileSize, outputPixels } = (await (await fetch(`${server.url}/_bench/config`)).json()) as { tileSize: number; outputPixels: number };
    if (outputPixels !== OUTPUT_PIXELS) throw new Error(`the Worker limits outputs to ${outputPixels} pixels; the bench sizes its largest x${otherScales.join(', x')} sources for ${OUTPUT_PIXELS}`);
    const cold: Sample[] = [await coldRequest(server, sizes[0]!)];
    const missRows: MissRow[] = [];
    const hitRows: { label: string; group: Group }[] = [];
    const workerdInfer = new Map<string, number[]>();
    for (const size of sizes) {
      const formats = size === focus ? ['png', 'jpeg', 'webp'] : ['png'];
      for (const format of formats) {
        const group = await misses(server, pid, watch, opaqueSource(size).path, upscaleQuery(format), runs);
        missRows.push({ label: `${size}x${size} → ${size * scale}x${size * scale}`, format, group });
        if (format === 'png') {
          workerdInfer.set(`${size}/served`, stage(group.samples, 'infer'));
          hitRows.push({ label: `${size * scale}x${size * scale} ${format}, ${formatMiB(group.samples[0]!.bytes)} MiB`, group: await hits(server, pid, group.lastPath, Number(values.hits)) });
        }
      }
    }
    const { width, height } = LARGEST_SOURCE;
    for (const format of ['png', 'webp']) {
      const group = await misses(server, pid, watch, LARGEST_SOURCE.path, upscaleQuery(format), runs);
      missRows.push({ label: `${width}x${height} translucent → ${width * scale}x${height * scale}`, format, group });
    }
    for (const at of otherScales) {
      for (const size of sizes.filter((side) => (side * at) ** 2 <= OUTPUT_PIXELS)) {
        const group = await misses(server, pid, watch, opaqueSource(size).path, upscaleQuery('png', at), runs);
        missRows.push({ label: `${size}x${size} → ${size * at}x${size * at} (x${at})`, format: 'png', group });
      }
      const largest = largestAt(at);
      for (const format of ['png', 'webp']) {
        const group = await misses(server, pid, watch, largest.path, upscaleQuery(format, at), runs);
        missRows.push({ label: `${largest.width}x${largest.height} translucent → ${largest.width * at}x${largest.height * at} (x${at})`, format, group });
      }
    }
    const afterMisses = residentMemory(pid);
    // The long-lived isolate's readings above include earlier requests' garbage; this one leaves it out.
    const collected = await misses(server, pid, watch, LARGEST_SOURCE.path, upscaleQuery('webp'), runs, true);
    const floorMs = await floor(server, Number(values.hits));

    const variantRows: string[][] = [];
    if (!values['skip-variants']) {
      const variants: Variant[] = [...tiles.map((tile) => ({ tile })), { tile: tileSize, model: 'int8' }, { tile: tileSize, model: 'fp32' }];
      const name = (variant: Variant) => `${benchModelLabel(variant.model ?? 'served')}, tile ${variant.tile}`;
      // One pass in ascending tile order first: the heap only grows, so each reading is what that tile needs.
      const heaps: number[] = [];
      for (const variant of variants) {
        await request(server, `${opaqueSource(focus).path}?${upscaleQuery('png')}&v=heap-${process.pid}-${heaps.length}`, variant);
        heaps.push(await ortHeap(server));
      }
      const load0 = load();
      const samples = await interleavedMisses(server, opaqueSource(focus).path, upscaleQuery('png'), runs, variants);
      for (const [i, variant] of variants.entries()) {
        variantRows.push([name(variant), p50p90(stage(samples[i]!, 'infer')), p50p90(samples[i]!.map((s) => s.ms)), formatMiB(heaps[i]!), `${load0}-${load()}`]);
        if (variant.tile === tileSize) workerdInfer.set(`${focus}/${variant.model ?? 'served'}`, stage(samples[i]!, 'infer'));
      }
    }

    // Fresh isolates: the cold start, then the largest request's memory on top of an idle process.
    const fresh: { idle: number; peak: number; heap: number; isolate: number; readings: number }[] = [];
    for (let start = 1; start < Number(values['cold-starts']); start++) {
      watch.close();
      await server.stop();
      ({ server, pid, watch } = await startServer(origin.url));
      const idle = residentMemory(pid).rss;
      cold.push(await coldRequest(server, sizes[0]!));
      const largest = await misses(server, pid, watch, LARGEST_SOURCE.path, upscaleQuery('webp'), 1);
      fresh.push({ idle, peak: largest.peakRss, heap: largest.ortHeap, isolate: isolatePeakBytes(largest)!, readings: largest.isolatePeak!.readings });
    }

    console.log(`## Cache misses, one at a time (source PNG, opaque unless named; tile ${tileSize}; ${runs} runs each)\n`);
    console.log('Server-Timing stages as the Worker measured them; `cache` is the lookup that missed, `model` the wait for the session after the fetch; the cache put runs after the response (`waitUntil`). Peak RSS: workerd\'s `VmHWM` over the group (the whole process, WebAssembly heaps included). Isolate peak: the largest reading of the Worker isolate\'s JavaScript heap plus ArrayBuffer backing stores (the codecs\' WebAssembly memories at full size) through V8\'s inspector, read back to back between tasks during each request and its cache put (test/bench/isolate-heap.ts), plus onnxruntime\'s heap (shared memory, which those counters leave out); garbage not yet collected counts, as it does against the limit until V8 collects it.\n');
    console.log(missTable(missRows));
    console.log(`\nworkerd RSS: ${formatMiB(idleRss)} MiB after start, ${formatMiB(afterMisses.rss)} MiB after the misses, peak ${formatMiB(afterMisses.peak)} MiB.\n`);

    console.log(`## Cache hits (${values.hits} each, the last miss's URL)\n`);
    console.log(markdownTable(
      ['Rendition', 'Round trip p50 / p90 ms', 'Server-Timing cache p50 / p90 ms', 'Load'],
      hitRows.map(({ label, group }) => [label, p50p90(group.samples.map((s) => s.ms)), p50p90(stage(group.samples, 'cache')), loads(group)]),
      ['Round trip p50 / p90 ms', 'Server-Timing cache p50 / p90 ms'],
    ));
    console.log(`\nFloor: a tiny JSON answer from the same isolate (\`/_bench/config\`) takes ${p50p90(floorMs)} ms (p50 / p90) round trip through wrangler's proxy.`);

    const warm = missRows.find((row) => row.label.startsWith(`${sizes[0]}x`) && row.format === 'png')!.group.samples;
    console.log(`\n## Cold start: the first rendition in a fresh isolate (${sizes[0]}x${sizes[0]} PNG, ${cold.length} fresh \`wrangler dev\` processes)\n`);
    const coldStages = ['fetch', 'model', 'decode', 'infer', 'encode'];
    console.log(markdownTable(
      ['Start', 'Round trip ms', ...coldStages.map((name) => `${name} ms`), 'Same request warm, p50 ms'],
      cold.map((sample, n) => [String(n + 1), formatMs(sample.ms), ...coldStages.map((name) => formatMs(sample.stages.get(name) ?? 0)), formatMs(summarise(warm.map((s) => s.ms)).p50)]),
      ['Round trip ms', ...coldStages.map((name) => `${name} ms`), 'Same request warm, p50 ms'],
    ));
    console.log('\nThe session is created while the source downloads; its synchronous WebAssembly work holds the event loop, so most of it shows in `fetch`.');

    if (native.length > 0) {
      console.log(`\n## Inference beside native onnxruntime (single thread; native and WASM in Node: whole image, median of ${values['native-runs']}; workerd: tiled, the infer stage)\n`);
      console.log(nativeTable(native, workerdInfer, tileSize));
    }
    if (sessionTimes.length > 0) {
      console.log(`\n## Session options, onnxruntime-web WASM hosted by Node, one ${sessionWindow}x${sessionWindow} tile window (${2 * runs} interleaved rounds)\n`);
      const shipped = summarise(sessionTimes[0]!).p50;
      console.log(markdownTable(
        ['Variant', 'p50 / p90 ms', 'vs shipped'],
        SESSION_VARIANTS.map((variant, i) => [variant.name, p50p90(sessionTimes[i]!), (summarise(sessionTimes[i]!).p50 / shipped).toFixed(2)]),
        ['p50 / p90 ms', 'vs shipped'],
      ));
    }
    if (variantRows.length > 0) {
      console.log(`\n## Tile size and precision, ${focus}x${focus} → ${focus * scale}x${focus * scale} PNG, uncached (${runs} interleaved rounds)\n`);
      console.log('ORT heap: onnxruntime\'s WebAssembly memory after one request of each variant, in this order (it never shrinks).\n');
      console.log(markdownTable(['Variant', 'infer p50 / p90 ms', 'Total p50 / p90 ms', 'ORT heap MiB', 'Load'], variantRows, ['infer p50 / p90 ms', 'Total p50 / p90 ms', 'ORT heap MiB']));
    }
    console.log(`\n## The largest request in the long-lived isolate, earlier garbage collected (${width}x${height} translucent PNG → ${width * scale}x${height * scale} WebP, ${runs} runs)\n`);
    console.log('A full collection (the one a V8 heap snapshot starts with, `HeapProfiler.takeHeapSnapshot`) before each run, after all the misses above: the request\'s own peak in an isolate that has served everything else.\n');
    console.log(markdownTable(
      ['Isolate peak MiB (readings)', 'ORT heap MiB', 'Total p50 / p90 ms', 'Load'],
      [[`${formatMiB(isolatePeakBytes(collected)!)} (${collected.isolatePeak!.readings})`, formatMiB(collected.ortHeap), p50p90(collected.samples.map((s) => s.ms)), loads(collected)]],
      ['Isolate peak MiB (readings)', 'ORT heap MiB', 'Total p50 / p90 ms'],
    ));
    if (fresh.length > 0) {
      console.log(`\n## The largest request in a fresh isolate (${width}x${height} translucent PNG → ${width * scale}x${height * scale} WebP, after the cold-start request)\n`);
      console.log(markdownTable(
        ['Process', 'RSS after start MiB', 'Peak RSS MiB', 'Peak − start MiB', 'Isolate peak MiB (readings)', 'ORT heap MiB'],
        fresh.map((row, n) => [String(n + 2), formatMiB(row.idle), formatMiB(row.peak), formatMiB(row.peak - row.idle), `${formatMiB(row.isolate)} (${row.readings})`, formatMiB(row.heap)]),
        ['RSS after start MiB', 'Peak RSS MiB', 'Peak − start MiB', 'Isolate peak MiB (readings)', 'ORT heap MiB'],
      ));
    }
    console.log(`\nBenchmark took ${((performance.now() - started) / 1000).toFixed(0)} s; load average at the end ${load()}.`);
  } finally {
    watch.close();
    await server.stop();
    origin.close();
  }
}

await main();
