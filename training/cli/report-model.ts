import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { basename, join, posix } from 'node:path';
import { secondsPerOutputMegapixel } from '../reports/forward-timing';
import { medianInferenceSeconds } from '../reports/inference-timing';
import { readManifest } from '../onnx/manifest';
import { recordServedMetrics } from '../reports/served-metrics';
import { formatSizeComparison } from '../reports/size-comparison';
import { parseSizeComparison } from '../reports/size-comparison-schema';
import { formatModelReport, runCharts, withEarlierHistory, withWarmStartLineage, type ModelTiming, type RunHistory } from '../reports/model-report';
import type { LogRecord } from '../loop/run-log';
import { RUN_CONFIG_FILE, RUN_LOG_FILE } from '../loop/run-dir';
import { readRunLog } from '../reports/plot/run-curves';
import { PAGE_DEFAULTS } from '../repro/args';
import { summarizeRunLog } from '../reports/plot/run-log-summary';
import { startModelTimer } from '../reports/workerd/model-timer';
import { parseCommandLine } from '../config/command-line';
import { withRepoRelativePaths } from '../config/load';
import { runCli } from './run-cli';

const USAGE = 'usage: npm run report:model -- --run <run dir> [--run <run dir> ...] [--service http://127.0.0.1:8787]';
const MODEL_DIR = 'model';
const SIZE_COMPARISON_FILE = 'size-comparison.json';
const TIMING_SIZE = 256;
const REPEATS = 5;

/**
 * `npm run report:model -- --run <run dir> [--run ...] [--service http://127.0.0.1:8787]`:
 * model/README.md from the manifest, with speed measured now, and each run's config, log summary
 * and curves under model/runs/<name>/ (a run dir may also be such a committed summary, when the
 * checkpoints live elsewhere). With `--service`, each served model is first scored through that
 * running service (`npm start`) and the scores are kept in the manifest as `metrics.served`.
 */
async function main(argv: string[]): Promise<undefined> {
  const { values } = parseCommandLine({ args: argv, strict: true, options: { run: { type: 'string', multiple: true }, service: { type: 'string' } } });
  if (values.service !== undefined) {
    for (const model of (await readManifest(MODEL_DIR)).models) {
      await recordServedMetrics(MODEL_DIR, model, values.service, {
        onProgress: ({ result, method, seconds }) => process.stderr.write(`${result.set}, ${method}: ${seconds.toFixed(1)} s\n`),
      });
    }
  }
  const manifest = await readManifest(MODEL_DIR);
  const runs = new Map<string, RunHistory>();
  const plots = new Map<string, { loss?: string; psnr?: string }>();
  // Each run's own log is summarized as it is; curves and wall times also cover the runs it was warm-started from.
  const logs = new Map<string, LogRecord[]>();
  for (const runDir of values.run ?? []) {
    const name = basename(runDir);
    const summaryDir = join(MODEL_DIR, 'runs', name);
    const isSummary = join(runDir) === summaryDir;
    const records = isSummary ? await readRunLog(runDir) : withEarlierHistory(name, await readRunLog(runDir), await readRunLog(summaryDir));
    await mkdir(summaryDir, { recursive: true });
    if (!isSummary) {
      // Committed, so with paths relative to the repository root, whatever machine the run was on.
      const config: unknown = JSON.parse(await readFile(join(runDir, RUN_CONFIG_FILE), 'utf8'));
      await writeFile(join(summaryDir, RUN_CONFIG_FILE), `${JSON.stringify(withRepoRelativePaths(config), null, 2)}\n`);
      await writeFile(
        join(summaryDir, RUN_LOG_FILE),
        `${summarizeRunLog(records)
          .map((r) => JSON.stringify(withRepoRelativePaths(r)))
          .join('\n')}\n`,
      );
    }
    logs.set(name, records);
  }
  for (const name of logs.keys()) {
    const records = withWarmStartLineage(name, logs);
    const summaryDir = join(MODEL_DIR, 'runs', name);
    const served = manifest.models.find((m) => (m.training as { run?: string } | null)?.run === name);
    const bicubic = served ? (served.metrics as { sets?: Record<string, { bicubicPsnr: number }> } | null)?.sets?.Set5?.bicubicPsnr : undefined;
    const charts = runCharts({ name, records }, bicubic);
    const plotPaths: { loss?: string; psnr?: string } = {};
    for (const kind of ['loss', 'psnr'] as const) {
      const svg = charts[kind];
      if (svg === undefined) continue;
      await writeFile(join(summaryDir, `${kind}.svg`), svg);
      plotPaths[kind] = `runs/${name}/${kind}.svg`;
    }
    runs.set(name, { name, records });
    plots.set(name, plotPaths);
  }
  const timings = new Map<string, ModelTiming>();
  const timer = await startModelTimer();
  try {
    for (const model of [...manifest.models, ...manifest.references]) {
      const path = join(MODEL_DIR, model.file);
      const megapixels = (TIMING_SIZE * model.scale) ** 2 / 1e6;
      timings.set(model.id, {
        nodeSecondsPerMegapixel: (await medianInferenceSeconds(path, 'onnxruntime-node', TIMING_SIZE, REPEATS)) / megapixels,
        workerdSecondsPerMegapixel: secondsPerOutputMegapixel(await timer.time(new Uint8Array(await readFile(path)), TIMING_SIZE, REPEATS)),
        loadAverage: loadavg()[0]!,
      });
    }
  } finally {
    await timer.stop();
  }
  const command = `npm run report:model -- ${withRepoRelativePaths(argv).join(' ')}`;
  await writeFile(
    join(MODEL_DIR, 'README.md'),
    formatModelReport(manifest, timings, runs, plots, command, await sizeComparisonSection(), posix.relative(MODEL_DIR, PAGE_DEFAULTS.ablation.reportFile)),
  );
  process.stdout.write(`wrote ${join(MODEL_DIR, 'README.md')}\n`);
}

/** The Markdown of model/size-comparison.json (written with its plot by `npm run compare:sizes`), when there is one. */
async function sizeComparisonSection(): Promise<string | undefined> {
  const path = join(MODEL_DIR, SIZE_COMPARISON_FILE);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined ? undefined : formatSizeComparison(parseSizeComparison(JSON.parse(text), path)).markdown;
}

runCli(import.meta.url, main, USAGE);
