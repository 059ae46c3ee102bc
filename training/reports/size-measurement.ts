import { cpus, loadavg } from 'node:os';
import { basename, resolve } from 'node:path';
// The workerd side is the benchmark's: the bench Worker under `wrangler dev` (test/bench, test/support).
import { startModelTimer } from './workerd/model-timer';
import { setName } from '../metrics/evaluate';
import { loadOnnxUpscaler } from '../eval/onnx-upscaler';
import { BENCHMARK_SETS, evaluateSets } from '../eval/sets';
import { RUN_LOG_FILE } from '../loop/run-dir';
import { readRunLog } from './plot/run-curves';
import type { CalibrationMethod } from '../config/calibration-method';
import { secondsPerOutputMegapixel } from './forward-timing';
import type { Manifest } from '../onnx/manifest';
import { trainingWallSeconds } from './model-report';
import { manifestSetMetrics } from '../eval/report';
import { exportCheckpoint, type Int8Settings } from '../quant/export-model';
import { PICK_SET, pickSize, type SizeComparison, type SizeResult } from './size-comparison';

/** The sets issue #5 compares sizes on. */
const COMPARISON_SETS: readonly string[] = BENCHMARK_SETS.filter((dir) => ['Set5', 'B100'].includes(setName(dir)));

/** Issue #5's budget: seconds per output megapixel in workerd on this machine. */
const BUDGET_SECONDS_PER_MEGAPIXEL = 1.5;

// The LR input and pass count of model/README.md's timings (training/cli/report-model.ts).
const TIMING_SIZE = 256;
const REPEATS = 5;
const TIMING_METHOD =
  'median of the timed forward passes after one warm-up, one thread of onnxruntime-web (WASM) in workerd under `wrangler dev` ' +
  '(POST /_bench/model-time of test/bench/worker/index.ts), the whole input in one pass (no tiles, unlike the served Worker: the per-pixel cost of the network itself), per output megapixel';

export interface CompareSizesOptions {
  /** Run directories (the newest checkpoint of each is compared; the log gives its training time). */
  readonly runs: readonly string[];
  readonly int8: Int8Settings;
  /** The command line, recorded in the result. */
  readonly command: string;
  readonly onProgress?: (line: string) => void;
}

/**
 * How the manifest's static int8 models (served or kept as references) were quantized, so that
 * every size is exported as they were; the comparison (model/size-comparison.json) was made in
 * static int8. Throws if there is none or they differ.
 *
 * @example
 * staticInt8Settings(await readManifest('model')); // { calibration: { kind: 'percentile', percentile: 99.999 }, calibrationPatches: 64, floatConvs: ['tail', 'skip'] }
 */
export function staticInt8Settings(manifest: Manifest): Int8Settings {
  const settings = [...manifest.models, ...manifest.references]
    .filter((model) => model.precision === 'int8')
    .map((model): Int8Settings => {
      const quantization = model.quantization as { calibration?: CalibrationMethod & { samples: number }; floatConvs?: string[] } | null;
      if (quantization?.calibration === undefined || quantization.floatConvs === undefined) throw new Error(`int8 model ${model.id} records no calibration`);
      const { samples, ...method } = quantization.calibration;
      return { calibration: method as CalibrationMethod, calibrationPatches: samples, floatConvs: quantization.floatConvs };
    });
  if (settings.length === 0) throw new Error('the manifest lists no static int8 model whose export to repeat');
  if (new Set(settings.map((s) => JSON.stringify(s))).size > 1)
    throw new Error(`the int8 models were quantized differently: ${settings.map((s) => JSON.stringify(s)).join(' / ')}`);
  return settings[0]!;
}

/**
 * `npm run compare:sizes`: each run's newest checkpoint exported int8 in memory, scored on
 * {@link COMPARISON_SETS}, then every export timed in workerd, back to back (the shared machine's
 * load drifts by the minute, and times taken close together compare best), and the budget rule applied.
 */
export async function compareSizes(options: CompareSizesOptions): Promise<SizeComparison> {
  const progress = options.onProgress ?? (() => {});
  const scored: { bytes: Uint8Array; size: Omit<SizeResult, 'workerd'> }[] = [];
  for (const run of options.runs) scored.push(await scoreSize(run, options.int8, progress));
  const scales = new Set(scored.map(({ size }) => size.arch.scale));
  if (scales.size > 1) throw new Error(`sizes compare at one scale; these runs are x${[...scales].join(', x')}`);
  const timer = await startModelTimer();
  const sizes: SizeResult[] = [];
  try {
    for (const { bytes, size } of scored) {
      const result = await timer.time(bytes, TIMING_SIZE, REPEATS);
      const workerd = {
        secondsPerMegapixel: secondsPerOutputMegapixel(result),
        medianSeconds: result.medianSeconds,
        seconds: result.seconds,
        loadAverage: loadavg()[0]!,
      };
      progress(
        `${size.name}: workerd ${workerd.secondsPerMegapixel.toFixed(2)} s/MP (median ${result.medianSeconds.toFixed(3)} s for ${result.outputWidth}x${result.outputHeight}), load ${workerd.loadAverage.toFixed(1)}`,
      );
      sizes.push({ ...size, workerd });
    }
  } finally {
    await timer.stop();
  }
  const budget = BUDGET_SECONDS_PER_MEGAPIXEL;
  return {
    schemaVersion: 1,
    command: options.command,
    measuredAt: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`,
    scale: sizes[0]!.arch.scale,
    export: { calibration: { ...options.int8.calibration, samples: options.int8.calibrationPatches }, floatConvs: options.int8.floatConvs },
    timing: { inputSize: TIMING_SIZE, repeats: REPEATS, method: TIMING_METHOD, autogroupNice: timer.autogroupNice },
    budget: {
      secondsPerMegapixel: budget,
      rule: `the best ${PICK_SET} Y-PSNR at <= ${budget} s per output megapixel in workerd on this machine (the faster on a tie); with no size within it, none is picked and the fastest is named`,
    },
    sizes,
    pick: pickSize(sizes, budget),
  };
}

/** One run's newest checkpoint, exported int8 and scored; everything but its speed. */
async function scoreSize(run: string, int8: Int8Settings, progress: (line: string) => void): Promise<{ bytes: Uint8Array; size: Omit<SizeResult, 'workerd'> }> {
  const records = await readRunLog(run);
  if (records.length === 0) throw new Error(`${run} has no ${RUN_LOG_FILE}: give a run directory (its training time comes from the log)`);
  const { checkpointDir, checkpoint, bytes, entry } = await exportCheckpoint(run, { ...int8, precision: 'int8' });
  const { config } = checkpoint;
  progress(`${config.name}: checkpoint ${checkpointDir} exported int8, ${bytes.length} bytes`);
  const report = await evaluateSets(COMPARISON_SETS, config.arch.scale, config.name, await loadOnnxUpscaler(bytes), ({ method, result, seconds }) => {
    progress(`${config.name}: ${result.set}, ${method === config.name ? 'int8' : method}: ${result.psnr.toFixed(2)} dB (${seconds.toFixed(0)} s)`);
  });
  return {
    bytes,
    size: {
      name: config.name,
      run,
      checkpoint: basename(resolve(checkpointDir)),
      arch: config.arch,
      parameters: entry.parameters,
      iterations: checkpoint.iteration,
      trainingSeconds: trainingWallSeconds(records, checkpoint.iteration),
      int8Bytes: entry.bytes,
      sets: manifestSetMetrics(report),
    },
  };
}
