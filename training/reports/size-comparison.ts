import type { ArchConfig } from '../archs/config';
import { renderLineChart } from './plot/line-chart';
import type { CalibrationMethod } from '../config/calibration-method';
import type { SetMetrics } from '../onnx/manifest';

/*
 * Issue #5's size comparison as `npm run compare:sizes` records it (model/size-comparison.json):
 * WDSR-B sizes trained on one budget, each exported int8 as the served model is, scored, and
 * timed in workerd; the budget rule picks one. Everything here is pure; the measuring is in
 * training/reports/size-measurement.ts.
 */

/** The set the rule ranks sizes by. */
export const PICK_SET = 'Set5';

/** One size: its run, its int8 export's quality and its speed in workerd. */
export interface SizeResult {
  /** The run's config name, e.g. `WDSR-B_x2_f24b8_i1000_T91+BSD200`. */
  readonly name: string;
  /** The run directory as given on the command line. */
  readonly run: string;
  /** The checkpoint exported: the run's newest. */
  readonly checkpoint: string;
  readonly arch: ArchConfig;
  readonly parameters: number;
  readonly iterations: number;
  /** Training wall time up to the checkpoint (trainingWallSeconds, training/reports/model-report.ts). */
  readonly trainingSeconds: number;
  readonly int8Bytes: number;
  /** Per set (Set5, B100), as the manifest records a model's scores. */
  readonly sets: Readonly<Record<string, SetMetrics>>;
  readonly workerd: WorkerdSpeed;
}

/** A model's speed in workerd, whole-image passes (see {@link SizeComparison.timing}). */
interface WorkerdSpeed {
  readonly secondsPerMegapixel: number;
  readonly medianSeconds: number;
  readonly seconds: readonly number[];
  /** 1-minute load average of the shared machine right after the passes. */
  readonly loadAverage: number;
}

/** What the budget rule chose: the best size within budget, or, when none is, the fastest (not picked). */
export type SizePick = { readonly withinBudget: true; readonly name: string } | { readonly withinBudget: false; readonly fastest: string };

export interface SizeComparison {
  readonly schemaVersion: 1;
  /** The command line that produced the file. */
  readonly command: string;
  /** ISO 8601 time the measurement finished. */
  readonly measuredAt: string;
  /** CPUs and Node version of the machine the times are from. */
  readonly machine: string;
  readonly scale: number;
  /** How every size was quantized: the served model's settings (model/manifest.json). */
  readonly export: { readonly calibration: CalibrationMethod & { readonly samples: number }; readonly floatConvs: readonly string[] };
  /** `autogroupNice`: the priority workerd's session had against the machine's other sessions (training/reports/workerd/scheduling.ts). */
  readonly timing: { readonly inputSize: number; readonly repeats: number; readonly method: string; readonly autogroupNice: number };
  readonly budget: { readonly secondsPerMegapixel: number; readonly rule: string };
  readonly sizes: readonly SizeResult[];
  readonly pick: SizePick;
}

/**
 * The budget rule: among sizes at or under `budget` seconds per output megapixel in workerd, the
 * best {@link PICK_SET} Y-PSNR (the faster on a tie); with none under it, none is picked and the
 * fastest is named.
 *
 * @example
 * pickSize(comparison.sizes, 1.5); // { withinBudget: true, name: 'WDSR-B_x2_f32b8_i1000_T91+BSD200' }
 */
export function pickSize(sizes: readonly SizeResult[], budget: number): SizePick {
  const speed = (size: SizeResult) => size.workerd.secondsPerMegapixel;
  const fastest = (a: SizeResult, b: SizeResult) => (speed(b) < speed(a) ? b : a);
  const within = sizes.filter((size) => speed(size) <= budget);
  if (within.length === 0) return { withinBudget: false, fastest: sizes.reduce(fastest).name };
  const psnr = (size: SizeResult) => size.sets[PICK_SET]!.psnr;
  return { withinBudget: true, name: within.reduce((a, b) => (psnr(b) > psnr(a) ? b : psnr(b) < psnr(a) ? a : fastest(a, b))).name };
}

/** `f24b8`: n_feats and blocks, as run names spell a size. */
const sizeLabel = (size: SizeResult): string => `f${size.arch.nFeats}b${size.arch.nBlocks}`;

const count = (value: number) => value.toLocaleString('en-US');
const modelScores = (metrics: SetMetrics) => `${metrics.psnr.toFixed(2)} / ${metrics.ssim.toFixed(4)}`;
const bicubicScores = (metrics: SetMetrics) => `${metrics.bicubicPsnr.toFixed(2)} / ${metrics.bicubicSsim.toFixed(4)}`;

/**
 * The comparison as a Markdown section (what was compared and how, the table, the pick and the
 * command that regenerates it) and its plot, Y-PSNR per set versus workerd seconds per output
 * megapixel, as SVG. `plotPath` is where the Markdown finds the SVG, relative to the Markdown file.
 *
 * @example
 * const { markdown, svg } = formatSizeComparison(parseSizeComparison(JSON.parse(text), path));
 */
export function formatSizeComparison(comparison: SizeComparison, plotPath = 'size-comparison.svg'): { markdown: string; svg: string } {
  const { sizes, budget, timing } = comparison;
  const setNames = Object.keys(sizes[0]!.sets);
  const label = new Map(sizes.map((size) => [size.name, sizeLabel(size)]));
  const iterations = [...new Set(sizes.map((size) => size.iterations))];
  const { calibration } = comparison.export;
  const method = calibration.kind === 'minmax' ? 'min-max' : `${calibration.percentile}th-percentile`;
  const [lowLoad, highLoad] = [Math.min(...sizes.map((s) => s.workerd.loadAverage)), Math.max(...sizes.map((s) => s.workerd.loadAverage))];
  const loads = lowLoad === highLoad ? lowLoad.toFixed(1) : `${lowLoad.toFixed(1)}-${highLoad.toFixed(1)}`;
  const within = (size: SizeResult) => size.workerd.secondsPerMegapixel <= budget.secondsPerMegapixel;
  const header = [
    'size',
    'parameters',
    'iterations (training time)',
    ...setNames.map((set) => `${set} PSNR / SSIM`),
    'int8 file',
    'workerd s/MP',
    `within ${budget.secondsPerMegapixel} s/MP`,
  ];
  const bicubic = ['bicubic', '-', '-', ...setNames.map((set) => bicubicScores(sizes[0]!.sets[set]!)), '-', '-', '-'];
  const rows = sizes.map((size) => [
    label.get(size.name)!,
    count(size.parameters),
    `${count(size.iterations)} (${(size.trainingSeconds / 3600).toFixed(1)} h)`,
    ...setNames.map((set) => modelScores(size.sets[set]!)),
    `${(size.int8Bytes / 1024).toFixed(0)} KiB`,
    size.workerd.secondsPerMegapixel.toFixed(2),
    within(size) ? 'yes' : 'no',
  ]);
  const { pick } = comparison;
  const pickText = pick.withinBudget
    ? `**Picked: ${label.get(pick.name)}** (\`${pick.name}\`).`
    : `**None picked:** no size is within ${budget.secondsPerMegapixel} s per output megapixel; the fastest is ${label.get(pick.fastest)} at ${sizes.find((s) => s.name === pick.fastest)!.workerd.secondsPerMegapixel.toFixed(2)} s/MP.`;
  const markdown = [
    '## Choosing the size (issue #5)',
    '',
    `WDSR-B x${comparison.scale} at ${sizes.length === 1 ? 'one size' : `${sizes.length} sizes,${iterations.length === 1 ? ' each' : ''}`} trained for ${iterations.map(count).join(' / ')} iterations`,
    `(runs ${sizes.map((size) => `\`${size.name}\``).join(', ')}), each newest checkpoint exported int8 as the served model is`,
    `(${method} calibration on ${calibration.samples} LR training patches; convs kept in float: ${comparison.export.floatConvs.join(', ') || 'none'}) and scored on ${setNames.join(' and ')}`,
    `(Y-PSNR dB / Y-SSIM, training/metrics/evaluate.ts). Speed in workerd: ${timing.method}, ${timing.repeats} passes on a ${timing.inputSize}x${timing.inputSize} LR input;`,
    `${comparison.machine}, shared, at a load average of ${loads} with workerd's session at autogroup nice ${timing.autogroupNice}; measured ${comparison.measuredAt}.`,
    '',
    ...[header, header.map(() => '---'), bicubic, ...rows].map((cells) => `| ${cells.join(' | ')} |`),
    '',
    `Rule: ${budget.rule}. ${pickText}`,
    '',
    `![${setNames.join(' and ')} Y-PSNR versus workerd seconds per output megapixel](${plotPath})`,
    '',
    `Regenerate: \`${comparison.command}\``,
    '',
  ].join('\n');
  return { markdown, svg: sizePlot(comparison, setNames, label) };
}

/** Y-PSNR per set against workerd speed, sizes labelled, the budget drawn as a rule. */
function sizePlot(comparison: SizeComparison, setNames: readonly string[], label: ReadonlyMap<string, string>): string {
  const bySpeed = [...comparison.sizes].sort((a, b) => a.workerd.secondsPerMegapixel - b.workerd.secondsPerMegapixel);
  const { secondsPerMegapixel: budget } = comparison.budget;
  return renderLineChart({
    title: `WDSR-B x${comparison.scale} sizes, int8: Y-PSNR versus speed in workerd`,
    xLabel: `workerd seconds per output megapixel (${comparison.timing.inputSize}x${comparison.timing.inputSize} LR, whole image, one thread)`,
    yLabel: 'Y-PSNR (dB)',
    series: setNames.map((set) => ({
      name: set,
      points: bySpeed.map((size) => [size.workerd.secondsPerMegapixel, size.sets[set]!.psnr] as const),
      markers: true,
      labels: bySpeed.map((size) => label.get(size.name)!),
    })),
    xRule: { x: budget, label: `budget ${budget} s/MP` },
  });
}
