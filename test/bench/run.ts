import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import manifestJson from '../../model/manifest.json';
import { SAMPLES } from '../support/samples/catalog';
import { startOrigin, SourceUnavailableError } from '../support/origin-server';
import { snapshotWorkingTree, type TreeSnapshot } from '../support/snapshot';
import { findWorkerd, residentMemory } from '../../training/reports/workerd/process-memory';
import { shareAutogroupNice } from '../../training/reports/workerd/scheduling';
import { summarise } from '../support/stats';
import { tileSizeFor } from '../../src/core/tiling';
import { startWranglerDev, type WranglerDev } from '../../training/reports/workerd/wrangler-dev';
import { estimateSeconds, MB, recommendCost, secondsPerMegapixel, TARGETS, verdict, type CostRecommendation, type CostRun } from './analysis';
import { measureBundle } from './bundle';
import { heapTotal, wasmTotal, watchIsolateHeap, type IsolateHeapWatch } from './isolate-heap';
import { agingRequests, MEDIUM_PHOTO, requestKinds, squarePng, type RequestKind } from './kinds';
import { BENCH_MODELS, benchModelLabel, measureNative, measureSessionOptions, servedModel, SESSION_VARIANTS, type NativeRow } from './native';
import { formatMiB, formatMs, markdownTable, p50p90 } from './report';
import { FIRST_DATA_BYTES, floor, hits, isolatePeak, measure, missPath, ortHeap, stage, workerConfig, type Run, type Sample } from './workerd';

/** The throughput table's numeric columns (right-aligned), after its Kind column. */
const THROUGHPUT_COLUMNS = [
  'Model-output MP',
  'Peak MP',
  'Runs',
  'Client total p50 / max s',
  'Worker total p50 / max s',
  'Worker total s/MP (peak) p50',
  'Inference s/MP p50 / max',
  'Rest s/MP p50 / max',
  'Tiles',
  'Overlap',
];

/*
 * npm run bench: what the streaming Worker costs in workerd (the shipped Worker under `wrangler
 * dev`, through test/bench/worker/index.ts, which only observes it), measured from the client:
 * the body is read chunk by chunk, so the first byte and the end are timed apart; the isolate's
 * memory through V8's inspector; the model's runs timed inside the Worker. Beside it the same model
 * in native onnxruntime. Prints Markdown tables (docs/benchmarks.md holds runs of them); progress
 * goes to stderr. Every figure is a measurement of this run; percentiles are nearest-rank.
 */

const SECTIONS = ['bundle', 'native', 'sessions', 'ttfb', 'mixed', 'kinds', 'tiles', 'fresh', 'cold'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    /** Sections to run (comma-separated, default all): bundle, native, sessions, ttfb, mixed, kinds, tiles, fresh, cold. */
    only: { type: 'string', default: SECTIONS.join(',') },
    /** Kinds at the limits (kinds.ts ids, comma-separated; default all). */
    kinds: { type: 'string', default: '' },
    /** Long-lived runs per kind, each way: without a collection, then with one first. */
    runs: { type: 'string', default: '1' },
    /** x2 PNG misses (first byte and total), square opaque sources. */
    sizes: { type: 'string', default: '128,256,512' },
    'ttfb-runs': { type: 'string', default: '8' },
    hits: { type: 'string', default: '30' },
    /** Mixed requests the long-lived isolate serves before the kinds. */
    mixed: { type: 'string', default: '200' },
    tiles: { type: 'string', default: '128,192,256' },
    /** Side of the x2 PNG source the tile sizes compare on (a photo; 2048 is the largest accepted). */
    'tile-source': { type: 'string', default: '1024' },
    'tile-runs': { type: 'string', default: '2' },
    'cold-starts': { type: 'string', default: '2' },
    'native-runs': { type: 'string', default: '3' },
    'native-sizes': { type: 'string', default: '128,256,512' },
    /** The session-options comparison's input: an interior tile's read window at the default TILE_SIZE, 128 (128 + 2 x 10). */
    window: { type: 'string', default: '148' },
    /** Also write every measurement as JSON to this file. */
    json: { type: 'string', default: '' },
    'skip-native': { type: 'boolean', default: false },
    'skip-bundle': { type: 'boolean', default: false },
    'skip-sessions': { type: 'boolean', default: false },
    'skip-tiles': { type: 'boolean', default: false },
    'skip-fresh': { type: 'boolean', default: false },
    /** Run wrangler from the working tree itself instead of a copy made at the start (see test/support/snapshot.ts). */
    live: { type: 'boolean', default: false },
  },
});
const skipFlags: Partial<Record<Section, boolean>> = {
  native: values['skip-native'],
  bundle: values['skip-bundle'],
  sessions: values['skip-sessions'],
  tiles: values['skip-tiles'],
  fresh: values['skip-fresh'],
};
const sections = new Set(
  values.only.split(',').filter((name): name is Section => {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only: unknown section ${name}; sections: ${SECTIONS.join(', ')}`);
    return !skipFlags[name as Section];
  }),
);
const runs = Number(values.runs);
const sizes = values.sizes.split(',').filter(Boolean).map(Number);
const tiles = values.tiles.split(',').filter(Boolean).map(Number);
const tileSource = Number(values['tile-source']);
const model = servedModel();
const scales = manifestJson.models.map((entry) => entry.scale).sort((a, b) => a - b);
const ttfbSize = sizes.includes(512) ? 512 : Math.max(...sizes);
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const autogroup = readFileSync('/proc/self/autogroup', 'utf8').trim();
const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, ${autogroup} (workerd's session gets the same)`;
const load = () => loadavg()[0]!;
const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : formatMiB(bytes));
const seconds = (ms: number) => (ms / 1000).toFixed(2);
const progress = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
/** Announces `line` on stderr, then starts `measure`. */
const announced = <T>(line: string, measure: () => Promise<T>): Promise<T> => {
  progress(line);
  return measure();
};
const loadRange = (from: number, to: number) => `${from.toFixed(1)}-${to.toFixed(1)}`;

/** A section's heading, then the line every table carries: the command, the machine, the load. */
function heading(title: string, loads: readonly [number, number], note = ''): void {
  console.log(`\n## ${title}\n`);
  console.log(`\`${command}\`; ${machine}; load average ${loadRange(...loads)}.${note ? ` ${note}` : ''}\n`);
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

/** A started server's first rendition: a 128x128 x2 PNG (wrangler's readiness probe, a pass-through, came first). */
async function coldRequest(server: WranglerDev, pid: number): Promise<Run> {
  return measure(server, pid, missPath(squarePng(128).path, 'upscale=2&format=png'));
}

interface KindRuns {
  readonly kind: RequestKind;
  fresh: Run | undefined;
  readonly longLived: Run[];
  readonly collected: Run[];
  /** Why the kind was not run (a source this machine cannot make). */
  skipped: string | undefined;
}

/**
 * The Worker's own end to end: from the request's arrival to the body's last chunk, as the bench
 * Worker timed it. The deadline runs there, and it leaves out what wrangler dev adds on the way out
 * after a large subrequest (the read-origin table); the client's total where the Worker's is unknown.
 */
const workerMs = (run: Run) => run.work.lastChunkAt ?? run.ms;

/** A run for the cost model: the Worker's time (see {@link workerMs}), not the client's. */
const costRun = (kind: RequestKind, run: Run): CostRun => ({
  scale: kind.scale,
  modelPixels: kind.scale === undefined ? 0 : kind.source.width * kind.scale * kind.source.height * kind.scale,
  peakPixels: kind.peakPixels,
  totalMs: workerMs(run),
  inferenceMs: run.work.inferenceMs,
});

const ok = (list: readonly (Run | undefined)[]) => list.filter((run): run is Run => run !== undefined && run.sample !== undefined);
const worst = (list: readonly Run[]) =>
  ok(list).reduce<Run | undefined>((max, run) => (max === undefined || isolatePeak(run)! > isolatePeak(max)! ? run : max), undefined);
/** Runs in a warm isolate (the long-lived one): what throughput and the cost model are computed from; fresh runs carry the isolate's start-up. */
const warmRuns = (k: KindRuns) => ok([...k.longLived, ...k.collected]);
const failures = (list: readonly (Run | undefined)[]) => list.filter((run) => run?.failure !== undefined).map((run) => run!.failure!);

const jsonPath = values.json === '' ? undefined : resolve(values.json);

async function main(): Promise<void> {
  const started = performance.now();
  const load0 = load();
  // wrangler dev reloads the Worker on every source change: measure a copy of the tree as it is now.
  const home = process.cwd();
  const snapshot: TreeSnapshot | undefined = values.live ? undefined : snapshotWorkingTree(home);
  if (snapshot !== undefined) process.chdir(snapshot.dir);
  try {
    await bench(started, load0, snapshot);
  } finally {
    process.chdir(home);
    snapshot?.remove();
  }
}

async function bench(started: number, load0: number, snapshot: TreeSnapshot | undefined): Promise<void> {
  console.log(`# npm run bench, ${new Date().toISOString()}\n`);
  const code =
    snapshot === undefined
      ? 'the working tree as it is during the run (`--live`)'
      : `commit ${snapshot.head}${snapshot.changes.length > 0 ? ` with ${snapshot.changes.length} uncommitted changes` : ''}, copied at the start (wrangler dev runs from the copy)`;
  console.log(
    `Command: \`${command}\`. Machine: ${machine}. Load average at start ${load0.toFixed(1)}. Code: ${code}. Model ${model.file} (${model.precision}, x${model.scale}); scales ${scales.join(', ')}.`,
  );
  const results: Record<string, unknown> = { command, machine, started: new Date().toISOString(), code };

  if (sections.has('bundle')) {
    const l0 = load();
    const files = measureBundle();
    const total = files.reduce((sum, file) => ({ bytes: sum.bytes + file.bytes, gzip: sum.gzip + file.gzipBytes }), { bytes: 0, gzip: 0 });
    heading('Bundle (`wrangler deploy --dry-run`)', [l0, load()]);
    const kib = (bytes: number) => (bytes / 1024).toFixed(0);
    console.log(
      markdownTable(
        ['File', 'KiB', 'gzip KiB'],
        [...files.map((file) => [file.path.replace(/^[0-9a-f]{40}-/, ''), kib(file.bytes), kib(file.gzipBytes)]), ['total', kib(total.bytes), kib(total.gzip)]],
        ['KiB', 'gzip KiB'],
      ),
    );
    results.bundle = files;
  }

  // Native first, alone: the workerd phases would compete with it for the two cores.
  const nativeLoad0 = load();
  const nativeSizes = values['native-sizes'].split(',').filter(Boolean).map(Number);
  const native = sections.has('native')
    ? await announced('native and WASM-in-Node inference', () => measureNative(nativeSizes, Number(values['native-runs'])))
    : [];
  const nativeLoad = [nativeLoad0, load()] as const;
  const sessionWindow = Number(values.window);
  const sessionLoad0 = load();
  const sessionTimes = sections.has('sessions') ? await announced('session options', () => measureSessionOptions(sessionWindow, 6)) : [];
  const sessionLoad = [sessionLoad0, load()] as const;

  const paintStart = performance.now();
  const origin = await startOrigin([...new Set([128, 256, 512, ...sizes])].map(squarePng).concat([MEDIUM_PHOTO]));
  let { server, pid, watch } = await startServer(origin.url);
  try {
    const config = await workerConfig(server);
    const warnings: string[] = [];
    /** Notes a reload of the long-lived Worker (wrangler dev reloads it when a source file changes): what ran after it ran in a fresh isolate. */
    const sameIsolate = async (after: string) => {
      const now = (await workerConfig(server)).isolate;
      if (now !== config.isolate && warnings.length === 0)
        warnings.push(
          `wrangler dev reloaded the Worker (a source file changed) before the end of ${after}: long-lived readings from there on are not from the isolate that served everything before`,
        );
      return now === config.isolate;
    };
    const allKinds = requestKinds(config.limits, scales);
    const wanted = values.kinds === '' ? allKinds : values.kinds.split(',').map((id) => allKinds.find((kind) => kind.id === id) ?? failKind(id, allKinds));
    const kindRuns: KindRuns[] = wanted.map((kind) => ({ kind, fresh: undefined, longLived: [], collected: [], skipped: undefined }));
    const webpOutput = allKinds.find((kind) => kind.id === 'webp-output')!;
    const tileKindSource = {
      path: `/photo-${tileSource}.png`,
      width: tileSource,
      height: tileSource,
      translucent: false,
      encoding: 'png' as const,
      style: 'photo' as const,
    };
    for (const runsOfKind of kindRuns) {
      try {
        await origin.add([runsOfKind.kind.source]);
      } catch (error) {
        if (!(error instanceof SourceUnavailableError)) throw error;
        runsOfKind.skipped = error.message;
        progress(`skipping ${runsOfKind.kind.id}: ${error.message}`);
      }
    }
    await origin.add([webpOutput.source, ...(sections.has('tiles') ? [tileKindSource] : [])]);
    progress(
      `sources painted in ${((performance.now() - paintStart) / 1000).toFixed(0)} s; Worker: tiles ${JSON.stringify(config.tileSize)}, deadline ${config.deadlineMs} ms, limits ${JSON.stringify(config.limits)}`,
    );
    results.config = config;
    results.sources = [...new Set(kindRuns.map((k) => k.kind.source.path))].map((path) => ({ path, bytes: origin.bytes(path)?.byteLength }));
    const idleRss = residentMemory(pid).rss;
    const runnable = kindRuns.filter((k) => k.skipped === undefined);

    // The first rendition of this process: a cold start.
    const cold: Run[] = [];
    if (sections.has('cold')) cold.push(await coldRequest(server, pid));

    // x2 PNG misses by size, one at a time: first byte, first pixels, total.
    const bySize = new Map<number, Run[]>();
    const hitRows: { label: string; samples: Sample[]; load: readonly [number, number] }[] = [];
    let floorMs: number[] = [];
    const ttfbLoad0 = load();
    if (sections.has('ttfb')) {
      for (const size of sizes) {
        progress(`x2 PNG misses at ${size}x${size}`);
        const group: Run[] = [];
        for (let run = 0; run < Number(values['ttfb-runs']); run++)
          group.push(await measure(server, pid, missPath(squarePng(size).path, 'upscale=2&format=png')));
        bySize.set(size, group);
        const failed = failures(group);
        if (failed.length > 0) throw new Error(`x2 PNG misses at ${size}: ${failed.join('; ')}`);
      }
      const last = bySize.get(ttfbSize)!.at(-1)!;
      const l0 = load();
      hitRows.push({
        label: `${ttfbSize * 2}x${ttfbSize * 2} png, ${formatMiB(last.sample!.bytes)} MiB`,
        samples: await hits(server, last.path, Number(values.hits)),
        load: [l0, load()],
      });
      floorMs = await floor(server, Number(values.hits));
    }
    const ttfbLoad = [ttfbLoad0, load()] as const;

    // The long-lived isolate: mixed requests first, then each kind without and with a collection.
    let aging:
      | { count: number; unexpected: string[]; ms: number; load: readonly [number, number]; ortHeapGrowth: readonly { bytes: number; path: string }[] }
      | undefined;
    if (sections.has('mixed') && Number(values.mixed) > 0) {
      progress(`${values.mixed} mixed requests`);
      const l0 = load();
      const start = performance.now();
      const unexpected: string[] = [];
      const ortHeapGrowth = [{ bytes: 0, path: '' }];
      for (const planned of agingRequests(
        Number(values.mixed),
        SAMPLES.map((sample) => sample.file),
        scales,
        webpOutput.source.path,
      )) {
        const response = await fetch(server.url + planned.path, { signal: AbortSignal.timeout(120_000) }).catch((error: unknown) => error as Error);
        if (response instanceof Error) unexpected.push(`${planned.path}: ${response.message}`);
        else {
          await response.arrayBuffer().catch((error: unknown) => unexpected.push(`${planned.path}: body: ${(error as Error).message}`));
          if (!planned.statuses.includes(response.status)) unexpected.push(`${planned.path}: status ${response.status}`);
        }
        // onnxruntime's heap never shrinks: name the request that grew it.
        const heap = await ortHeap(server);
        if (heap > ortHeapGrowth.at(-1)!.bytes) ortHeapGrowth.push({ bytes: heap, path: planned.path });
      }
      aging = { count: Number(values.mixed), unexpected, ms: performance.now() - start, load: [l0, load()], ortHeapGrowth: ortHeapGrowth.slice(1) };
      await sameIsolate('the mixed requests');
      progress(`mixed requests done in ${seconds(aging.ms)} s, ${unexpected.length} unexpected`);
    }
    const kindsLoad0 = load();
    if (sections.has('kinds')) {
      for (const { kind, longLived, collected } of runnable) {
        for (const [list, collect] of [
          [longLived, false],
          [collected, true],
        ] as const) {
          for (let run = 0; run < runs; run++) {
            progress(`${kind.id}${collect ? ', collected first' : ''}`);
            const result = await measure(server, pid, missPath(kind.source.path, kind.query), { watch, collectGarbageFirst: collect });
            list.push(result);
            await sameIsolate(`${kind.id}${collect ? ', collected' : ''}`);
            progress(`  ${result.failure ?? `${seconds(result.ms)} s, peak ${mib(isolatePeak(result))} MiB, inference ${seconds(result.work.inferenceMs)} s`}`);
          }
        }
      }
      const x2 = runnable.find((k) => k.kind.id === 'x2-png');
      const stored = x2?.collected.at(-1);
      if (stored?.sample !== undefined && stored.put !== undefined) {
        const l0 = load();
        hitRows.push({
          label: `${x2!.kind.output.width}x${x2!.kind.output.height} png, ${formatMiB(stored.sample.bytes)} MiB`,
          samples: await hits(server, stored.path, 5),
          load: [l0, load()],
        });
      }
    }
    const kindsLoad = [kindsLoad0, load()] as const;

    // wrangler dev's own cost of a large subrequest: the source read whole, timed in the isolate and by the client.
    const reads: { path: string; bytes: number; workerMs: number[]; clientMs: number[] }[] = [];
    if (sections.has('kinds')) {
      for (const path of [...new Set(runnable.map((k) => k.kind.source.path))]) {
        const row = { path, bytes: 0, workerMs: [] as number[], clientMs: [] as number[] };
        for (let run = 0; run < 2; run++) {
          const start = performance.now();
          const answer = (await (await fetch(`${server.url}/_bench/read-origin?path=${encodeURIComponent(path)}`)).json()) as { bytes: number; ms: number };
          row.clientMs.push(performance.now() - start);
          row.workerMs.push(answer.ms);
          row.bytes = answer.bytes;
        }
        reads.push(row);
      }
    }
    const afterKinds = residentMemory(pid);

    // Tile sizes last in this isolate: onnxruntime's heap only grows, and a larger tile grows it.
    const tileRows: { tile: number; heapRun: Run; timed: Run[] }[] = [];
    const tilesLoad0 = load();
    if (sections.has('tiles')) {
      const query = 'upscale=2&format=png';
      for (const tile of [...tiles].sort((a, b) => a - b)) {
        progress(`tile ${tile}: memory`);
        tileRows.push({
          tile,
          heapRun: await measure(server, pid, missPath(tileKindSource.path, query), { watch, collectGarbageFirst: true, variant: { tile } }),
          timed: [],
        });
      }
      for (let round = 0; round < Number(values['tile-runs']); round++) {
        for (const row of tileRows) {
          progress(`tile ${row.tile}: round ${round + 1}`);
          row.timed.push(await measure(server, pid, missPath(tileKindSource.path, query), { variant: { tile: row.tile } }));
        }
      }
      await sameIsolate('the tile comparison');
    }
    const tilesLoad = [tilesLoad0, load()] as const;

    // Fresh isolates: each kind as the first rendition of a new `wrangler dev`, then cold starts.
    const freshLoad0 = load();
    const freshIdle: number[] = [];
    const restart = async () => {
      watch.close();
      await server.stop();
      ({ server, pid, watch } = await startServer(origin.url));
    };
    if (sections.has('fresh')) {
      for (const runsOfKind of runnable) {
        progress(`fresh isolate: ${runsOfKind.kind.id}`);
        await restart();
        freshIdle.push(residentMemory(pid).rss);
        runsOfKind.fresh = await measure(server, pid, missPath(runsOfKind.kind.source.path, runsOfKind.kind.query), { watch });
        progress(`  ${runsOfKind.fresh.failure ?? `${seconds(runsOfKind.fresh.ms)} s, peak ${mib(isolatePeak(runsOfKind.fresh))} MiB`}`);
      }
    }
    const freshLoad = [freshLoad0, load()] as const;
    const coldLoad0 = load();
    if (sections.has('cold')) {
      for (let start = 1; start < Number(values['cold-starts']); start++) {
        progress(`cold start ${start + 1}`);
        await restart();
        cold.push(await coldRequest(server, pid));
      }
    }
    const coldLoad = [coldLoad0, load()] as const;
    Object.assign(results, { reads, warnings, bySize: Object.fromEntries(bySize), kindRuns, tileRows, cold, aging, hitRows, floorMs, native, sessionTimes });

    // ---- Tables --------------------------------------------------------------------------------
    const recommendation = recommendCost(
      runnable.flatMap((k) => warmRuns(k).map((run) => ({ label: k.kind.id, run: costRun(k.kind, run) }))),
      config.deadlineMs,
    );
    // The requests that can approach the deadline: those at the output limit (or half of it and more).
    const atLimit = runnable.filter((k) => k.kind.peakPixels * 2 >= config.limits.outputPixels);
    const largeRecommendation = recommendCost(
      atLimit.flatMap((k) => warmRuns(k).map((run) => ({ label: k.kind.id, run: costRun(k.kind, run) }))),
      config.deadlineMs,
    );
    results.recommendation = recommendation;
    results.largeRecommendation = largeRecommendation;

    if (runnable.length > 0 && (sections.has('kinds') || sections.has('fresh'))) {
      heading(
        `Memory: peak isolate memory of the largest request of each kind (target ≤ ${TARGETS.memoryBytes / MB} MB = ${formatMiB(TARGETS.memoryBytes)} MiB)`,
        [Math.min(kindsLoad[0], freshLoad[0]), Math.max(kindsLoad[1], freshLoad[1])],
        'Fresh: the first rendition of a new `wrangler dev`. Long-lived: the isolate that served the x2 misses above and ' +
          `${aging?.count ?? 0} mixed requests, then the kinds in this order, ${runs} run(s) each way; "collected": a full collection (\`watch.collectGarbage()\`, a heap snapshot) just before the request. ` +
          "Isolate memory: the largest reading taken back to back during the request and its cache put, each the inspector's `Runtime.getHeapUsage` (JS heap reserved + ArrayBuffer backing stores) plus every WebAssembly memory not yet collected (onnxruntime's, and libwebp's and libavif's heaps, dropped ones included: `/_bench/memory`), which V8's counters leave out. A lower bound: the isolate answers only between tasks.",
      );
      const cell = (run: Run | undefined) => (run === undefined ? '-' : run.failure !== undefined ? 'failed' : mib(isolatePeak(run)));
      const pass = (run: Run | undefined, limit: number) => (run?.sample === undefined ? '-' : verdict(isolatePeak(run)! <= limit));
      console.log(
        markdownTable(
          ['Kind', 'Request', 'Fresh MiB', 'Long-lived MiB', 'Long-lived, collected MiB', '≤ 96 MB: fresh / long-lived / collected'],
          kindRuns.map(({ kind, fresh, longLived, collected, skipped }) =>
            skipped !== undefined
              ? [kind.id, kind.label, `skipped: ${skipped}`, '-', '-', '-']
              : [
                  kind.id,
                  kind.label,
                  cell(fresh),
                  cell(worst(longLived) ?? longLived[0]),
                  cell(worst(collected) ?? collected[0]),
                  [fresh, worst(longLived), worst(collected)].map((run) => pass(run, TARGETS.memoryBytes)).join(' / '),
                ],
          ),
          ['Fresh MiB', 'Long-lived MiB', 'Long-lived, collected MiB'],
        ),
      );
      console.log("\nWhat each reading is made of (the peak reading's JS heap, buffers and WebAssembly memories, and the reading before the request began):\n");
      const detail = (id: string, isolate: string, run: Run | undefined): string[] | undefined =>
        run?.peak === undefined
          ? undefined
          : [
              id,
              isolate,
              formatMiB(heapTotal(run.peak.before)),
              formatMiB(run.peak.jsHeap),
              formatMiB(run.peak.buffers),
              formatMiB(run.peak.wasm.onnxruntime ?? 0),
              formatMiB(wasmTotal(run.peak) - (run.peak.wasm.onnxruntime ?? 0)),
              mib(isolatePeak(run)),
              String(run.peak.readings),
              formatMiB(run.peakRss),
              run.failure === undefined ? seconds(run.ms) : 'failed',
              loadRange(...run.load),
            ];
      console.log(
        markdownTable(
          [
            'Kind',
            'Isolate',
            'Before MiB',
            'JS heap MiB',
            'Buffers MiB',
            'ORT heap MiB',
            'Codec heaps MiB',
            'Peak MiB',
            'Readings',
            'workerd peak RSS MiB',
            'Total s',
            'Load',
          ],
          kindRuns.flatMap(({ kind, fresh, longLived, collected }) =>
            [
              detail(kind.id, 'fresh', fresh),
              ...longLived.map((run) => detail(kind.id, 'long-lived', run)),
              ...collected.map((run) => detail(kind.id, 'collected', run)),
            ].filter((row): row is string[] => row !== undefined),
          ),
          ['Before MiB', 'JS heap MiB', 'Buffers MiB', 'ORT heap MiB', 'Codec heaps MiB', 'Peak MiB', 'Readings', 'workerd peak RSS MiB', 'Total s'],
        ),
      );
      const failed = kindRuns.flatMap(({ kind, fresh, longLived, collected }) =>
        failures([fresh, ...longLived, ...collected]).map((why) => `${kind.id}: ${why}`),
      );
      if (failed.length > 0) console.log(`\nFailed requests:\n\n${failed.map((line) => `- ${line}`).join('\n')}`);
      console.log(
        `\nworkerd RSS of the long-lived process: ${formatMiB(idleRss)} MiB after start, ${formatMiB(afterKinds.rss)} MiB after the kinds, peak ${formatMiB(afterKinds.peak)} MiB (VmHWM, reset per request; the table's column is per request).` +
          (freshIdle.length > 0 ? ` Fresh processes: ${formatMiB(Math.min(...freshIdle))}-${formatMiB(Math.max(...freshIdle))} MiB after start.` : ''),
      );
      if (aging !== undefined)
        console.log(
          `\nMixed requests before the kinds: ${aging.count} in ${seconds(aging.ms)} s (load ${loadRange(...aging.load)}), ${aging.unexpected.length} unexpected${aging.unexpected.length > 0 ? `: ${aging.unexpected.slice(0, 5).join('; ')}` : ''}. ` +
            `onnxruntime's heap grew ${aging.ortHeapGrowth.map((step) => `to ${formatMiB(step.bytes)} MiB at ${step.path}`).join(', then ')}.`,
        );
    }

    if (bySize.size > 0) {
      heading(
        'Time to first byte: x2 PNG misses, one at a time',
        ttfbLoad,
        `Client side (Node fetch through wrangler's proxy): headers, the first body chunk, the first ${FIRST_DATA_BYTES / 1024} KiB of body (the first pixels: a PNG's signature and IHDR, 33 bytes, go out before any band is computed), the body fully read. Server-Timing has the stages before the first byte; inference is the model runs the bench Worker timed. Opaque drawing-style PNG sources, tile ${tileSizeFor(config.tileSize, 2)}, ${values['ttfb-runs']} runs each.`,
      );
      const share = (runs: readonly Run[], key: 'firstByteMs' | 'firstDataMs') => {
        const shares = ok(runs).map((run) => (run.sample![key] ?? Number.NaN) / run.sample!.ms);
        if (shares.length === 0) return '-';
        const { p50, p90 } = summarise(shares);
        return `${p50.toFixed(2)} / ${p90.toFixed(2)}`;
      };
      const columns = [
        'Runs',
        'Headers p50 / p90 ms',
        'First byte p50 / p90 ms',
        'First 16 KiB p50 / p90 ms',
        'Total p50 / p90 ms',
        'First byte / total p50 / p90',
        'First 16 KiB / total p50 / p90',
        'fetch + check + decode p50 ms',
        'Inference p50 / p90 ms',
      ];
      console.log(
        markdownTable(
          ['Request', ...columns, 'Load'],
          [...bySize].map(([size, group]) => {
            const samples = ok(group).map((run) => run.sample!);
            const before = samples.map((s) => ['fetch', 'download', 'model', 'check', 'decode'].reduce((sum, name) => sum + (s.stages.get(name) ?? 0), 0));
            return [
              `${size}x${size} → ${size * 2}x${size * 2}`,
              String(samples.length),
              p50p90(samples.map((s) => s.headersMs)),
              p50p90(samples.map((s) => s.firstByteMs ?? Number.NaN)),
              p50p90(samples.map((s) => s.firstDataMs ?? Number.NaN)),
              p50p90(samples.map((s) => s.ms)),
              share(group, 'firstByteMs'),
              share(group, 'firstDataMs'),
              formatMs(summarise(before).p50),
              p50p90(group.map((run) => run.work.inferenceMs)),
              loadRange(group[0]!.load[0], group.at(-1)!.load[1]),
            ];
          }),
          columns,
        ),
      );
    }

    const timed = runnable.map((k) => ({ ...k, all: warmRuns(k) })).filter((k) => k.all.length > 0);
    if (timed.length > 0) {
      heading(
        'Throughput: seconds per megapixel at the limits',
        [Math.min(kindsLoad[0], freshLoad[0]), Math.max(kindsLoad[1], freshLoad[1])],
        "The long-lived isolate's runs of each kind (fresh isolates add their start-up: see the memory details for their totals). Client total: through wrangler's proxy; Worker total: from the request's arrival to the last chunk, in the Worker (where the deadline runs; it leaves out what wrangler dev adds after a large subrequest, see the read-origin table). Inference: the model runs, per model-output megapixel (tiles and their overlap included); rest: the rest of the Worker total (fetch, header checks, decode, resample, encode, the cache tee), per megapixel of the plan's peak raster (the model output; for a thumbnail, the source). Overlap: pixels the model computed over the pixels it output.",
      );
      console.log(
        markdownTable(
          ['Kind', ...THROUGHPUT_COLUMNS],
          timed.map(({ kind, all }) => {
            const rates = all.map((run) => secondsPerMegapixel(costRun(kind, run)));
            const infer = rates.flatMap((rate) => (rate.infer === undefined ? [] : [rate.infer]));
            const stream = rates.map((rate) => rate.stream);
            const modelMp = costRun(kind, all[0]!).modelPixels / 1e6;
            const first = all[0]!.work;
            const overlap = kind.scale === undefined ? '-' : ((first.inputPixels * kind.scale ** 2) / costRun(kind, all[0]!).modelPixels).toFixed(2);
            const client = summarise(all.map((run) => run.ms));
            const total = summarise(all.map(workerMs));
            return [
              kind.id,
              modelMp === 0 ? '-' : modelMp.toFixed(2),
              (kind.peakPixels / 1e6).toFixed(2),
              String(all.length),
              `${seconds(client.p50)} / ${seconds(client.max)}`,
              `${seconds(total.p50)} / ${seconds(total.max)}`,
              (total.p50 / 1000 / (kind.peakPixels / 1e6)).toFixed(3),
              infer.length === 0 ? '-' : `${summarise(infer).p50.toFixed(3)} / ${summarise(infer).max.toFixed(3)}`,
              `${summarise(stream).p50.toFixed(3)} / ${summarise(stream).max.toFixed(3)}`,
              kind.scale === undefined ? '-' : String(first.tiles),
              overlap,
            ];
          }),
          THROUGHPUT_COLUMNS,
        ),
      );
    }

    const splitRows = [
      ...[...bySize].map(([size, group]) => ({ label: `${size}x${size} x2 PNG (first-byte runs)`, runs: ok(group) })),
      ...timed.map(({ kind, all }) => ({ label: kind.id, runs: all })),
    ].filter((row) => row.runs.length > 0);
    if (splitRows.length > 0) {
      heading(
        'Where the time goes (warm runs, p50 of each column)',
        [ttfbLoad[0], Math.max(kindsLoad[1], freshLoad[1])],
        "Server-Timing: the stages before the first byte. Inside the isolate (the bench Worker times the shipped codecs' banded entry points and the model runs, test/bench/worker): when the handler returned the response, ms after the request arrived; the body's own work (its pulls: decode in strips, inference, resample, encode; the rest of it is resample and encode); and the time the body spent waiting between its pulls (yields to the event loop, the client and the cache put reading, other tasks); when the last chunk was made, ms after the request arrived (the Worker's own end to end). Client: first byte and total through wrangler's proxy.",
      );
      const p50 = (values: readonly number[]) => (values.length === 0 ? '-' : formatMs(summarise(values).p50));
      const columns = [
        'Runs',
        'fetch ms',
        'download ms',
        'check ms',
        'decode ms',
        'render ms',
        'Returned at ms',
        'Strips decode ms',
        'Inference ms',
        'Resample + encode ms',
        'Body waits ms',
        'Last chunk at ms',
        'Client first byte ms',
        'Client total ms',
      ];
      console.log(
        markdownTable(
          ['Request', ...columns],
          splitRows.map(({ label, runs: list }) => {
            const w = list.map((run) => run.work);
            return [
              label,
              String(list.length),
              ...['fetch', 'download', 'check', 'decode', 'render'].map((name) =>
                p50(
                  stage(
                    list.map((run) => run.sample!),
                    name,
                  ),
                ),
              ),
              p50(w.flatMap((x) => (x.returnedAt === undefined ? [] : [x.returnedAt]))),
              p50(w.map((x) => x.decodeMs)),
              p50(w.map((x) => x.inferenceMs)),
              p50(w.map((x) => x.bodyMs - x.decodeMs - x.inferenceMs)),
              p50(w.flatMap((x) => (x.firstPullAt === undefined || x.lastChunkAt === undefined ? [] : [x.lastChunkAt - x.firstPullAt - x.bodyMs]))),
              p50(w.flatMap((x) => (x.lastChunkAt === undefined ? [] : [x.lastChunkAt]))),
              p50(list.map((run) => run.sample!.firstByteMs ?? Number.NaN)),
              p50(list.map((run) => run.ms)),
            ];
          }),
          columns,
        ),
      );
      if (reads.length > 0) {
        console.log(
          "\nwrangler dev's cost of a large subrequest: each source read whole by the bench Worker (`/_bench/read-origin`, a tiny JSON answer), timed inside the isolate and by the client; the difference is spent after the Worker has answered, outside it. Near 0 with workerd's network capture for the inspector turned off, as here (training/reports/workerd/network-capture.ts); with it on, as plain `wrangler dev` has it, seconds, growing faster than the source.\n",
        );
        console.log(
          markdownTable(
            ['Source', 'MiB', 'Read in the Worker p50 ms', 'Client round trip p50 ms', 'Difference ms'],
            reads.map((row) => [
              row.path,
              formatMiB(row.bytes),
              formatMs(summarise(row.workerMs).p50),
              formatMs(summarise(row.clientMs).p50),
              formatMs(summarise(row.clientMs).p50 - summarise(row.workerMs).p50),
            ]),
            ['MiB', 'Read in the Worker p50 ms', 'Client round trip p50 ms', 'Difference ms'],
          ),
        );
      }
    }

    if (tileRows.length > 0) {
      heading(
        `Tile size: ${tileSource}x${tileSource} photo PNG → x2 → ${tileSource * 2}x${tileSource * 2} PNG, uncached (\`X-Bench-Tile\`)`,
        tilesLoad,
        `First one request per tile size in ascending order, each after a full collection, with the isolate read throughout (onnxruntime's heap only grows, so each reading is what that tile needs on top of the smaller ones; this isolate had served everything above, x3 and x4 included); then ${values['tile-runs']} interleaved rounds for time.`,
      );
      const outputMp = (tileSource * 2) ** 2 / 1e6;
      console.log(
        markdownTable(
          ['Tile', 'Isolate peak MiB (after a collection)', 'ORT heap MiB', 'Inference s/MP p50', 'Total s/MP p50', 'Total p50 / p90 ms', 'Overlap', 'Load'],
          tileRows.map(({ tile, heapRun, timed: rounds }) => {
            const all = ok([heapRun, ...rounds]);
            const first = heapRun.work;
            return [
              String(tile),
              heapRun.failure === undefined ? mib(isolatePeak(heapRun)) : 'failed',
              formatMiB(heapRun.ortHeap),
              all.length === 0 ? '-' : (summarise(all.map((run) => run.work.inferenceMs)).p50 / 1000 / outputMp).toFixed(3),
              all.length === 0 ? '-' : (summarise(all.map((run) => run.ms)).p50 / 1000 / outputMp).toFixed(3),
              p50p90(all.map((run) => run.ms)),
              ((first.inputPixels * 4) / (outputMp * 1e6)).toFixed(2),
              loadRange(heapRun.load[0], (rounds.at(-1) ?? heapRun).load[1]),
            ];
          }),
          ['Isolate peak MiB (after a collection)', 'ORT heap MiB', 'Inference s/MP p50', 'Total s/MP p50', 'Total p50 / p90 ms', 'Overlap'],
        ),
      );
    }

    const thumbnails = runnable.filter(({ kind }) => kind.id.startsWith('thumb-'));
    if (thumbnails.length > 0 && (sections.has('kinds') || sections.has('fresh'))) {
      heading(
        `Thumbnails (target for the 24 MP JPEG: ≤ ${TARGETS.thumbnailMs / 1000} s end to end, ≤ ${TARGETS.thumbnailBytes / MB} MB = ${formatMiB(TARGETS.thumbnailBytes)} MiB peak)`,
        [Math.min(kindsLoad[0], freshLoad[0]), Math.max(kindsLoad[1], freshLoad[1])],
      );
      const times = ['Warm runs', 'Warm total p50 / max ms', 'Warm first byte p50 ms', 'In the Worker: last chunk at p50 ms', 'Fresh isolate total ms'];
      console.log(
        markdownTable(
          ['Kind', 'Request', ...times, 'Peak MiB fresh / long-lived / collected', 'Time (warm p50)', 'Memory (fresh, collected)'],
          thumbnails.map((k) => {
            const { kind, fresh, longLived, collected } = k;
            const all = warmRuns(k);
            const total = summarise(all.map((run) => run.ms));
            const target = kind.thumbnail;
            const memoryOk = [fresh, worst(collected)].filter((run) => run?.sample !== undefined).every((run) => isolatePeak(run!)! <= TARGETS.thumbnailBytes);
            return [
              kind.id,
              kind.label,
              String(all.length),
              all.length === 0 ? '-' : `${formatMs(total.p50)} / ${formatMs(total.max)}`,
              all.length === 0 ? '-' : formatMs(summarise(all.map((run) => run.sample!.firstByteMs ?? Number.NaN)).p50),
              all.length === 0 ? '-' : formatMs(summarise(all.map((run) => run.work.lastChunkAt ?? Number.NaN)).p50),
              fresh === undefined ? '-' : fresh.failure === undefined ? formatMs(fresh.ms) : 'failed',
              [fresh, worst(longLived), worst(collected)].map((run) => (run?.sample === undefined ? '-' : mib(isolatePeak(run)))).join(' / '),
              target && all.length > 0 ? verdict(total.p50 <= TARGETS.thumbnailMs) : '-',
              target && all.length > 0 ? verdict(memoryOk) : '-',
            ];
          }),
          times,
        ),
      );
    }

    if (hitRows.length > 0) {
      heading("Cache hits (the last miss's URL)", ttfbLoad);
      console.log(
        markdownTable(
          ['Rendition', 'Hits', 'Round trip p50 / p90 ms', 'First byte p50 / p90 ms', 'Server-Timing cache p50 / p90 ms', 'Load'],
          hitRows.map(({ label, samples, load: loads }) => [
            label,
            String(samples.length),
            p50p90(samples.map((s) => s.ms)),
            p50p90(samples.map((s) => s.firstByteMs ?? Number.NaN)),
            p50p90(stage(samples, 'cache')),
            loadRange(...loads),
          ]),
          ['Hits', 'Round trip p50 / p90 ms', 'First byte p50 / p90 ms', 'Server-Timing cache p50 / p90 ms'],
        ),
      );
      console.log(
        `\nFloor: a tiny JSON answer from the same isolate (\`/_bench/config\`) takes ${p50p90(floorMs)} ms (p50 / p90) round trip through wrangler's proxy.`,
      );
    }

    if (cold.length > 0) {
      const warm = bySize.get(128)?.map((run) => run.ms);
      heading(
        `Cold start: the first rendition in a fresh isolate (128x128 → 256x256 PNG, ${cold.length} \`wrangler dev\` processes)`,
        [cold[0]!.load[0], coldLoad[1]],
        'Process 1 is the long-lived one, before anything else ran in it.',
      );
      const coldStages = ['fetch', 'download', 'model', 'check', 'decode'];
      console.log(
        markdownTable(
          ['Start', 'Round trip ms', 'First byte ms', ...coldStages.map((name) => `${name} ms`), 'Inference ms', 'Same request warm, p50 ms'],
          cold.map((run, n) => [
            String(n + 1),
            run.failure === undefined ? formatMs(run.ms) : 'failed',
            formatMs(run.sample?.firstByteMs ?? Number.NaN),
            ...coldStages.map((name) => formatMs(run.sample?.stages.get(name) ?? 0)),
            formatMs(run.work.inferenceMs),
            warm === undefined ? '-' : formatMs(summarise(warm).p50),
          ]),
          ['Round trip ms', 'First byte ms', ...coldStages.map((name) => `${name} ms`), 'Inference ms', 'Same request warm, p50 ms'],
        ),
      );
      console.log(
        '\nThe session is created while the source downloads; its synchronous WebAssembly work holds the event loop, so most of it shows in `fetch`.',
      );
    }

    if (native.length > 0) {
      heading(
        `Inference beside native onnxruntime (single thread; native and WASM in Node: whole image, median of ${values['native-runs']}; workerd: tiled at ${tileSizeFor(config.tileSize, 2)}, the model runs of the x2 misses above)`,
        nativeLoad,
      );
      console.log(nativeTable(native, bySize, tileSizeFor(config.tileSize, 2)));
    }
    if (sessionTimes.length > 0) {
      heading(`Session options, onnxruntime-web WASM hosted by Node, one ${sessionWindow}x${sessionWindow} tile window (6 interleaved rounds)`, sessionLoad);
      const shipped = summarise(sessionTimes[0]!).p50;
      console.log(
        markdownTable(
          ['Variant', 'p50 / p90 ms', 'vs shipped'],
          SESSION_VARIANTS.map((variant, i) => [variant.name, p50p90(sessionTimes[i]!), (summarise(sessionTimes[i]!).p50 / shipped).toFixed(2)]),
          ['p50 / p90 ms', 'vs shipped'],
        ),
      );
    }

    if (timed.length > 0) {
      heading(
        'Cost model (src/options.ts DEFAULT_OPTIONS.cost) from these runs',
        [Math.min(kindsLoad[0], freshLoad[0]), Math.max(kindsLoad[1], freshLoad[1])],
        "From the warm runs' Worker totals (the deadline's clock: arrival to last chunk). Recommended: per scale the largest inference rate measured at the limits; then the largest rate of the rest over every kind that refuses none of them at the deadline; each rounded up to 0.05 s/MP (test/bench/analysis.ts `recommendCost`). Estimates as `estimateSeconds` computes them, with the running Worker's cost model and with the recommended one.",
      );
      const current = config.cost;
      const warmest = (all: readonly Run[]) => Math.max(...all.map(workerMs)) / 1000;
      console.log(
        markdownTable(
          ['Kind', 'Worker total max s (warm)', 'Estimate now s', 'Estimate recommended s', `Deadline ${seconds(config.deadlineMs)} s`],
          timed.map(({ kind, all }) => {
            const run = costRun(kind, all[0]!);
            const measured = warmest(all);
            const recommended = estimateSeconds(run, recommendation);
            return [
              kind.id,
              measured.toFixed(2),
              estimateSeconds(run, current).toFixed(2),
              recommended.toFixed(2),
              recommended * 1000 <= config.deadlineMs ? 'accepted' : 'refused',
            ];
          }),
          ['Worker total max s (warm)', 'Estimate now s', 'Estimate recommended s'],
        ),
      );
      const rates = (cost: CostRecommendation) => Object.entries(cost.inferSecondsPerMegapixel).map(([scale, rate]) => `${scale}: ${rate.toFixed(2)}`);
      const text = (cost: CostRecommendation) =>
        `\`cost: { inferSecondsPerMegapixel: { ${rates(cost).join(', ') || '-'} }, streamSecondsPerMegapixel: ${cost.streamSecondsPerMegapixel.toFixed(2)} }\` (the stream rate set by ${cost.streamFrom}); ${cost.underestimated.length === 0 ? 'it bounds every run it was fitted to' : `runs it does not bound (a higher stream rate would refuse a request at the limits): ${cost.underestimated.join(', ')}`}`;
      console.log(
        `\nNow: \`cost: ${JSON.stringify(current)}\` (estimateSeconds reads the two rates below).\n\nRecommended, bounding every kind: ${text(recommendation)}.`,
      );
      if (atLimit.length > 0) {
        const under = timed
          .filter(({ kind, all }) => all.some((run) => workerMs(run) / 1000 > estimateSeconds(costRun(kind, run), largeRecommendation) + 1e-9))
          .map(({ kind }) => kind.id);
        console.log(
          `\nFitted to the requests that can approach the deadline (peak at least half the output limit: ${atLimit.map((k) => k.kind.id).join(', ')}): ${text(largeRecommendation)}; of all the kinds it underestimates ${under.length === 0 ? 'none' : under.join(', ')}.`,
        );
      }
    }

    const targetRows = targets(kindRuns, bySize.get(ttfbSize), ttfbSize);
    if (targetRows.length > 0) {
      heading('Against the targets', [load0, load()]);
      console.log(markdownTable(['Target', 'Measured', 'Verdict'], targetRows));
    }
    for (const warning of warnings) console.log(`\n**Warning:** ${warning}.`);
    console.log(`\nBenchmark took ${((performance.now() - started) / 1000).toFixed(0)} s; load average at the end ${load().toFixed(1)}.`);
    if (jsonPath !== undefined) mkdirSync(dirname(jsonPath), { recursive: true });
    if (jsonPath !== undefined)
      writeFileSync(
        jsonPath,
        JSON.stringify(results, (_, value: unknown) => (value instanceof Map ? Object.fromEntries(value) : value), 2),
      );
  } finally {
    watch.close();
    await server.stop();
    origin.close();
  }
}

function failKind(id: string, kinds: readonly RequestKind[]): never {
  throw new Error(`--kinds: no kind ${id}; kinds: ${kinds.map((kind) => kind.id).join(', ')}`);
}

/** The pass/fail list against the streaming issue's targets, from what this run measured. */
function targets(kindRuns: readonly KindRuns[], ttfb: readonly Run[] | undefined, ttfbSize: number): string[][] {
  const rows: string[][] = [];
  for (const { kind, fresh, longLived, collected, skipped } of kindRuns) {
    if (skipped !== undefined) {
      rows.push([`${kind.id} peak ≤ 96 MB`, `not measured: ${skipped}`, '-']);
      continue;
    }
    const readings = [
      ['fresh', fresh],
      ['long-lived', worst(longLived)],
      ['collected', worst(collected)],
    ] as const;
    const measured = readings.filter(([, run]) => run?.sample !== undefined);
    if (measured.length === 0) {
      const failed = failures([fresh, ...longLived, ...collected]);
      if (failed.length > 0) rows.push([`${kind.id} peak ≤ 96 MB`, `failed: ${failed[0]}`, 'FAIL']);
      continue;
    }
    const text = measured.map(([name, run]) => `${name} ${mib(isolatePeak(run!))} MiB`).join(', ');
    const within = (name: string) => {
      const run = readings.find(([n]) => n === name)?.[1];
      return run?.sample === undefined ? undefined : isolatePeak(run)! <= TARGETS.memoryBytes;
    };
    const parts = ['fresh', 'collected', 'long-lived'].map((name) => within(name));
    rows.push([
      `${kind.id} peak ≤ 96 MB (fresh, collected / long-lived uncollected)`,
      text,
      `${verdict(parts[0] !== false && parts[1] !== false)} / ${verdict(parts[2])}`,
    ]);
  }
  if (ttfb !== undefined) {
    const samples = ok(ttfb).map((run) => run.sample!);
    const shares = samples.map((s) => (s.firstByteMs ?? Number.NaN) / s.ms);
    const dataShares = samples.map((s) => (s.firstDataMs ?? Number.NaN) / s.ms);
    const total = summarise(samples.map((s) => s.ms));
    const share = summarise(shares);
    rows.push([
      `${ttfbSize}x${ttfbSize} x2 PNG: first byte ≤ 30% of total`,
      `p50 ${share.p50.toFixed(2)}, p90 ${share.p90.toFixed(2)} (first 16 KiB: p50 ${summarise(dataShares).p50.toFixed(2)}, p90 ${summarise(dataShares).p90.toFixed(2)})`,
      verdict(share.p50 <= TARGETS.firstByteShare),
    ]);
    rows.push([
      `${ttfbSize}x${ttfbSize} x2 PNG: end to end ≤ 1.5 s`,
      `p50 ${formatMs(total.p50)} ms, p90 ${formatMs(total.p90)} ms`,
      verdict(total.p50 <= TARGETS.ttfbTotalMs),
    ]);
  }
  const thumb = kindRuns.find(({ kind, skipped }) => kind.thumbnail && skipped === undefined);
  if (thumb !== undefined) {
    const all = warmRuns(thumb);
    if (all.length > 0) {
      const total = summarise(all.map((run) => run.ms));
      const fresh = thumb.fresh?.sample === undefined ? '' : `; fresh isolate ${formatMs(thumb.fresh.ms)} ms`;
      const inWorker = summarise(all.map((run) => run.work.lastChunkAt ?? Number.NaN)).p50;
      rows.push([
        `${thumb.kind.id}: end to end ≤ 1.5 s (warm, client)`,
        `p50 ${formatMs(total.p50)} ms, max ${formatMs(total.max)} ms (${all.length} warm runs)${fresh}; in the Worker the last chunk was made at ${formatMs(inWorker)} ms (p50)`,
        verdict(total.p50 <= TARGETS.thumbnailMs),
      ]);
      const peaks = [thumb.fresh, worst(thumb.collected)].filter((run) => run?.sample !== undefined).map((run) => isolatePeak(run!)!);
      if (peaks.length > 0)
        rows.push([
          `${thumb.kind.id}: peak ≤ 40 MB (fresh, collected)`,
          `${formatMiB(Math.max(...peaks))} MiB`,
          verdict(Math.max(...peaks) <= TARGETS.thumbnailBytes),
        ]);
    }
  }
  return rows;
}

function nativeTable(native: readonly NativeRow[], bySize: ReadonlyMap<number, readonly Run[]>, tileSize: number): string {
  const find = (size: number, model: string, runtime: string) => native.find((row) => row.size === size && row.model === model && row.runtime === runtime)?.ms;
  const rows = [...new Set(native.map((row) => row.size))].flatMap((size) =>
    BENCH_MODELS.map((benchModel) => {
      const nativeMs = find(size, benchModel, 'onnxruntime-node')!;
      const webMs = find(size, benchModel, 'onnxruntime-web')!;
      const group = benchModel === 'served' ? bySize.get(size) : undefined;
      const inferP50 = group === undefined || group.length === 0 ? undefined : summarise(group.map((run) => run.work.inferenceMs)).p50;
      return [
        `${size}x${size}`,
        benchModelLabel(benchModel),
        formatMs(nativeMs),
        formatMs(webMs),
        (webMs / nativeMs).toFixed(1),
        inferP50 === undefined ? '-' : formatMs(inferP50),
        inferP50 === undefined ? '-' : (inferP50 / nativeMs).toFixed(1),
      ];
    }),
  );
  const headers = ['Input', 'Model', 'native ms', 'WASM in Node ms', 'WASM / native', `workerd inference p50 ms (tile ${tileSize})`, 'workerd / native'];
  return markdownTable(headers, rows, headers.slice(2));
}

await main();
