import type { LogRecord } from '../loop/run-log';
import { renderLineChart, type LineSeries } from './plot/line-chart';
import { runCurves } from './plot/run-curves';
import type { Manifest, ManifestModel, ModelPrecision, SetMetrics } from '../onnx/manifest';

/** What the report knows about one model beyond its manifest entry: measured speed. */
export interface ModelTiming {
  readonly nodeSecondsPerMegapixel: number;
  /** The model in workerd, on the Worker's onnxruntime-web WASM build (training/reports/workerd/model-timer.ts). */
  readonly workerdSecondsPerMegapixel: number;
  /** 1-minute load average of the 2-core machine when timed: other work inflates these numbers. */
  readonly loadAverage: number;
}

/** One training run behind a served model: its log, for curves and wall time. */
export interface RunHistory {
  readonly name: string;
  readonly records: readonly LogRecord[];
}

/** A manifest entry's `training` (see run-export.ts). */
interface Training {
  readonly run: string;
  readonly checkpoint?: string;
  readonly iterations: number;
  readonly data: string[];
}

/** The float checkpoint a quantization-aware int8 model was fine-tuned from, if it was. */
function fineTunedFrom(model: ManifestModel): Pick<Training, 'run' | 'checkpoint' | 'iterations'> | undefined {
  return (model.quantization as { quantizationAwareTraining?: { from: Pick<Training, 'run' | 'checkpoint' | 'iterations'> } } | null)?.quantizationAwareTraining
    ?.from;
}

/** `run/checkpoint` of the float weights a model was exported from, directly or through a quantization-aware fine-tune. */
function floatCheckpoint(model: ManifestModel): string | undefined {
  const from = fineTunedFrom(model) ?? (model.training as Training | null);
  return from ? `${from.run}/${from.checkpoint}` : undefined;
}

const PRECISION_ORDER: readonly ModelPrecision[] = ['fp32', 'int8', 'int8-weights'];

/**
 * "`run` for N iterations (T h of training on 2 shared CPU cores)", the time when its log is known,
 * and how often the run went on from its own exported model after its checkpoints were lost.
 */
function runLength(training: Pick<Training, 'run' | 'iterations'>, runs: ReadonlyMap<string, RunHistory>): string {
  const run = runs.get(training.run);
  const wall = run ? ` (${hours(trainingWallSeconds(run.records, training.iterations))} of training on 2 shared CPU cores)` : '';
  const warmStarts = (run?.records ?? []).flatMap((r) =>
    r.type === 'start' && r.warmStartFrom !== undefined && r.iteration < training.iterations ? [r.warmStartFrom] : [],
  );
  const own = warmStarts.filter((origin) => origin.run === training.run);
  // The records are the lineage's, oldest first: each other run trained the weights up to the iteration the next one started at.
  const others = warmStarts
    .filter((origin) => origin.run !== training.run)
    .map((origin) => `\`${origin.run}\` to ${origin.iterations.toLocaleString('en-US')}`);
  const lineage = others.length === 0 ? '' : `, continuing ${others.length === 1 ? 'run' : 'runs'} ${others.join(', then ')} iterations`;
  const init = (run?.records ?? []).flatMap((r) => (r.type === 'start' && r.initFrom !== undefined ? [r.initFrom] : []))[0];
  const seededLayers = [...new Set(init?.fresh.map((name) => name.split('/')[0]))];
  const initialized =
    init === undefined
      ? ''
      : `, initialized from run \`${init.run}\` at ${init.iterations.toLocaleString('en-US')} iterations${seededLayers.length === 0 ? '' : ` except its ${seededLayers.join(' and ')} conv${seededLayers.length === 1 ? '' : 's'}`}`;
  const restarts =
    own.length === 0
      ? ''
      : `, continued ${own.length === 1 ? 'once' : `${own.length} times`} from its exported fp32 model with new Adam moments (at ${own.map((o) => o.iterations.toLocaleString('en-US')).join(', ')})`;
  return `\`${training.run}\` for ${training.iterations.toLocaleString('en-US')} iterations${wall}${initialized}${lineage}${restarts}`;
}

/**
 * A run's log preceded by the history of the run it was warm-started from, up to the iteration it
 * started at, and so on back while those runs' logs are known: the whole training of a model whose
 * run continued another one (a shorter learning-rate schedule from a longer run's checkpoint), so
 * its curves and wall time cover every iteration behind it.
 *
 * @example
 * withWarmStartLineage('decay', logs); // the long run's records to iteration 10,595, then the decay run's
 */
export function withWarmStartLineage(name: string, logs: ReadonlyMap<string, readonly LogRecord[]>, seen: ReadonlySet<string> = new Set([name])): LogRecord[] {
  const records = logs.get(name) ?? [];
  const first = records[0];
  const from = first?.type === 'start' ? first.warmStartFrom : undefined;
  if (from === undefined || seen.has(from.run) || !logs.has(from.run)) return [...records];
  const history = withWarmStartLineage(from.run, logs, new Set([...seen, from.run]));
  return [...history.filter((r) => r.iteration <= from.iterations), ...records];
}

/**
 * A run's whole history when its log starts with a warm start from its own exported model (its
 * checkpoints, and so its old log, were on a machine that is gone): the committed summary up to
 * that iteration, then the new log.
 */
export function withEarlierHistory(name: string, records: readonly LogRecord[], committed: readonly LogRecord[]): LogRecord[] {
  const first = records[0];
  if (first?.type !== 'start' || first.warmStartFrom?.run !== name) return [...records];
  const resumedAt = first.warmStartFrom.iterations;
  // A summary written by an earlier report already holds this warm start and what followed it.
  const end = committed.findIndex((r) => r.type === 'start' && r.iteration === resumedAt && r.warmStartFrom !== undefined);
  const before = end === -1 ? committed : committed.slice(0, end);
  return [...before.filter((r) => r.iteration <= resumedAt), ...records];
}

const setsOf = (model: ManifestModel) => (model.metrics as { sets?: Record<string, SetMetrics> } | null)?.sets ?? {};

/** Scores measured through the running service (training/reports/served-metrics.ts), if they were. */
const servedOf = (model: ManifestModel) => (model.metrics as { served?: { command: string; sets: Record<string, SetMetrics> } } | null)?.served;

/**
 * Training wall time of a run up to an iteration: each process's last `elapsedSec` up to it (the
 * clock restarts when a run is resumed), summed over processes.
 */
export function trainingWallSeconds(records: readonly LogRecord[], upToIteration: number): number {
  let total = 0;
  let segment = 0;
  for (const record of records) {
    if (record.type === 'start') {
      total += segment;
      segment = 0;
    } else if (record.type === 'train' && record.iteration <= upToIteration) {
      segment = Math.max(segment, record.elapsedSec);
    }
  }
  return total + segment;
}

const hours = (seconds: number) => `${(seconds / 3600).toFixed(1)} h`;

/** The loss and validation-PSNR curves of a run as SVG; a curve without two points yet is left out. */
export function runCharts(run: RunHistory, bicubicPsnr: number | undefined): { loss?: string; psnr?: string } {
  const curves = runCurves(run.records);
  const charts: { loss?: string; psnr?: string } = {};
  if (curves.loss.length >= 2) {
    charts.loss = renderLineChart({
      title: `${run.name}: training L1 loss`,
      xLabel: 'iteration',
      yLabel: 'L1 loss',
      yScale: 'log',
      series: [{ name: 'training loss', points: curves.loss }],
    });
  }
  // The untrained model's score at iteration 0 would flatten the curve that matters.
  const psnrPoints = curves.psnr.filter(([iteration]) => iteration > 0);
  if (psnrPoints.length >= 2) {
    const series: LineSeries[] = [{ name: 'validation (Set5)', points: psnrPoints, markers: true }];
    if (bicubicPsnr !== undefined)
      series.push({
        name: 'bicubic',
        points: [
          [psnrPoints[0]![0], bicubicPsnr],
          [psnrPoints.at(-1)![0], bicubicPsnr],
        ],
        dashed: true,
      });
    charts.psnr = renderLineChart({ title: `${run.name}: validation Y-PSNR`, xLabel: 'iteration', yLabel: 'Set5 Y-PSNR (dB)', series });
  }
  return charts;
}

/**
 * fp32 references no served model was quantized from: networks still in training, kept in model/
 * so that the next session continues them (a config's `warmStart` pins one), with what they scored.
 */
function inTraining(manifest: Manifest, runs: ReadonlyMap<string, RunHistory>, plots: ReadonlyMap<string, { loss?: string; psnr?: string }>): string[] {
  const quantizedFrom = new Set(manifest.models.map(floatCheckpoint));
  const training = manifest.references.filter((r) => !quantizedFrom.has(floatCheckpoint(r)));
  if (training.length === 0) return [];
  const lines = [
    '## In training, not served',
    '',
    'fp32 exports of runs still training, kept here so they continue from these weights (a config pins one as `"warmStart": { "file": "model/<file>", "sha256": "<its SHA-256>" }`).',
    '',
  ];
  for (const model of training) {
    const trained = (model.training as Training | null)!;
    const sets = Object.entries(setsOf(model)).map(([set, m]) => `${set} ${m.psnr.toFixed(2)} / ${m.ssim.toFixed(4)} (bicubic ${m.bicubicPsnr.toFixed(2)})`);
    lines.push(
      `- \`${model.file}\`: x${model.scale}, n_feats ${model.arch.nFeats}, ${model.arch.nBlocks} blocks, ${model.parameters.toLocaleString('en-US')} parameters; run ${runLength(trained, runs)}; ${sets.join(', ')}.`,
    );
  }
  lines.push('');
  for (const model of training) {
    const name = (model.training as Training | null)!.run;
    const plot = plots.get(name);
    if (plot?.psnr) lines.push(`![validation PSNR of ${name}](${plot.psnr})`, '');
  }
  return lines;
}

const PRECISIONS: Readonly<Record<ModelPrecision, string>> = {
  fp32: 'float32',
  int8: 'static int8 (int8 weights, uint8 activations: QLinearConv)',
  'int8-weights': 'int8 weights, which onnxruntime dequantizes, with float32 activations and arithmetic',
};

/**
 * model/README.md: per scale, bicubic / fp32 / int8 quality, size, speed and training cost, with the commands;
 * then the size comparison, and a pointer to the fixed-budget ablation's page (`ablationPage`, relative to model/).
 */
export function formatModelReport(
  manifest: Manifest,
  timings: ReadonlyMap<string, ModelTiming>,
  runs: ReadonlyMap<string, RunHistory>,
  plots: ReadonlyMap<string, { loss?: string; psnr?: string }>,
  command: string,
  sizeComparison?: string,
  ablationPage?: string,
): string {
  const lines = [
    '# The shipped models',
    '',
    'What `?upscale=N` runs: the models `manifest.json` lists under `models`, int8 exports (each section names its',
    'precision) of WDSR-B networks trained by this project on T91 + BSD200 (the "291" set; Set5 for validation),',
    'and under `references` the fp32 exports they were quantized from, and other precisions kept for comparison.',
    'Everything below is generated by',
    `\`${command}\` from the manifest, the training logs and timings measured when it runs.`,
    '',
    'Quality: Y-PSNR (dB) / Y-SSIM on the standard benchmarks, MATLAB-bicubic LR of the mod-cropped HR, `scale`',
    'pixels shaved, outputs rounded to 8 bits (`training/metrics/evaluate.ts`; the bicubic column reproduces the',
    'published 33.66 / 30.24 / 29.56 / 26.88 at x2). The "over HTTP" row is the served model scored through the',
    'running service (`npm start`): each LR image uploaded as PNG, the PNG answer scored, so tiling and codecs count.',
    'Speed: median single-threaded forward pass on a whole 256x256 LR input, seconds per output megapixel,',
    "in onnxruntime-node (native) and in workerd (the Worker's onnxruntime-web WASM build, through the bench",
    'Worker under `wrangler dev`); a whole request, tiled, end to end and per stage, is measured by `npm run bench`',
    '(docs/benchmarks.md).',
    '',
  ];
  for (const served of [...manifest.models].sort((a, b) => a.scale - b.scale)) {
    const training = served.training as Training | null;
    const source = fineTunedFrom(served);
    // The references of the same float checkpoint: its fp32 export, and other precisions quantized from it.
    const origin = floatCheckpoint(served);
    const references = manifest.references
      .filter((r) => r.scale === served.scale && origin !== undefined && floatCheckpoint(r) === origin)
      .sort((a, b) => PRECISION_ORDER.indexOf(a.precision) - PRECISION_ORDER.indexOf(b.precision));
    const rows = [...references, served];
    const setNames = Object.keys(setsOf(served));
    lines.push(`## x${served.scale}: \`${served.file}\``, '');
    lines.push(
      `${served.arch.arch.toUpperCase().replace('_', '-')}, n_feats ${served.arch.nFeats}, ${served.arch.nBlocks} blocks, ${served.parameters.toLocaleString('en-US')} parameters; receptive field ${served.receptiveField} LR pixels; ${PRECISIONS[served.precision]}.`,
    );
    if (training) {
      const stages = [
        ...(source ? [`Trained by run ${runLength(source, runs)}`] : []),
        `${source ? 'then fine-tuned quantization-aware by' : 'Trained by'} run ${runLength(training, runs)}`,
      ];
      lines.push(`${stages.join(', ')} on ${training.data.map((d) => `\`${d}\``).join(', ')}.`);
    }
    for (const reference of references) {
      const from = fineTunedFrom(reference);
      const tuned = reference.training as Training | null;
      if (from && tuned)
        lines.push(`The ${reference.precision} reference (\`${reference.file}\`) was fine-tuned quantization-aware by run ${runLength(tuned, runs)}.`);
    }
    lines.push('');
    const header = ['model', ...setNames, 'file', 'native s/MP', 'workerd s/MP'];
    const bicubicRow = [
      'bicubic',
      ...setNames.map((s) => `${setsOf(served)[s]!.bicubicPsnr.toFixed(2)} / ${setsOf(served)[s]!.bicubicSsim.toFixed(4)}`),
      '-',
      '-',
      '-',
    ];
    const modelRows = rows.map((m) => {
      const timing = timings.get(m.id);
      return [
        `${m.precision}${m === served ? ' (served)' : ''}`,
        ...setNames.map((s) => (setsOf(m)[s] ? `${setsOf(m)[s]!.psnr.toFixed(2)} / ${setsOf(m)[s]!.ssim.toFixed(4)}` : 'not measured')),
        `${(m.bytes / 1024).toFixed(0)} KiB`,
        timing ? timing.nodeSecondsPerMegapixel.toFixed(2) : 'not measured',
        timing ? timing.workerdSecondsPerMegapixel.toFixed(2) : 'not measured',
      ];
    });
    const overHttp = servedOf(served);
    const httpRow = [
      `${served.precision} over HTTP (\`npm start\`)`,
      ...setNames.map((s) => (overHttp?.sets[s] ? `${overHttp.sets[s]!.psnr.toFixed(2)} / ${overHttp.sets[s]!.ssim.toFixed(4)}` : 'not measured')),
      '-',
      '-',
      '-',
    ];
    lines.push(...[header, header.map(() => '---'), bicubicRow, ...modelRows, httpRow].map((cells) => `| ${cells.join(' | ')} |`), '');
    const loads = rows.flatMap((m) => timings.get(m.id)?.loadAverage ?? []);
    if (loads.length)
      lines.push(
        `Timed at a load average of ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} on 2 cores (other jobs running inflate the times).`,
        '',
      );
    lines.push('Regenerate the quality numbers:', '', '```sh');
    for (const m of rows) {
      const metricsCommand = (m.metrics as { command?: string } | null)?.command;
      if (metricsCommand) lines.push(metricsCommand);
    }
    if (overHttp) {
      const port = /--model https?:\/\/[^\s/]+:(\d+)/.exec(overHttp.command)?.[1];
      lines.push(`npm start${port === undefined ? '' : ` -- --port ${port}`} &   # then, once it listens:`, overHttp.command);
    }
    lines.push('```', '');
    for (const name of [source?.run, training?.run]) {
      const plot = name === undefined ? undefined : plots.get(name);
      if (plot?.loss) lines.push(`![training loss of ${name}](${plot.loss})`, '');
      if (plot?.psnr) lines.push(`![validation PSNR of ${name}](${plot.psnr})`, '');
    }
  }
  lines.push(...inTraining(manifest, runs, plots));
  // The size comparison (`npm run compare:sizes`, training/reports/size-comparison.ts) that chose the served size.
  if (sizeComparison !== undefined) lines.push(sizeComparison.trimEnd(), '');
  if (ablationPage !== undefined) lines.push(...ablationPointer(ablationPage));
  return `${lines.join('\n')}\n`;
}

/** The section that points at the fixed-budget ablation of issue #20, a page `npm run repro -- ablation` writes with its runs. */
function ablationPointer(page: string): string[] {
  return [
    '## Levers at a fixed budget (issue #20)',
    '',
    `Structural re-parameterization, distillation, a cosine learning-rate schedule, 128x128 HR patches and training without the 8 flips/rotations, each tried alone on the served x2 size (16/8) for one fixed number of iterations: [the ablation table](${page}) (Set5 and B100, training time per iteration, the exported graph's parameters and MACs per LR pixel, the command behind each row), written by \`npm run repro -- ablation\`.`,
    '',
  ];
}
