import { renderLineChart, type LineSeries } from '../reports/plot/line-chart';
import type { RunSummary } from './collect';

/** One SVG of the report, written to `file` in the report's plot folder. */
export interface ReportPlot {
  readonly file: string;
  readonly title: string;
  readonly svg: string;
}

/** A run to draw, under the legend name it should carry. */
export interface PlottedRun {
  readonly name: string;
  readonly summary: RunSummary;
}

/** How far below bicubic the PSNR axis starts: low enough for early curves, high enough that differences of 0.1 dB stay visible. */
const PSNR_AXIS_BELOW_BICUBIC_DB = 2;

/** The legend name, marked when the curve is not a whole finished run. */
function legendName({ name, summary }: PlottedRun): string {
  const { status } = summary;
  return status.state === 'partial' ? `${name} (partial)` : status.state === 'diverged' ? `${name} (diverged)` : name;
}

/**
 * Validation Y-PSNR against iteration, with bicubic as a dashed level. The axis starts
 * `PSNR_AXIS_BELOW_BICUBIC_DB` under bicubic, or lower when a run ends below that, so every
 * run's last score shows: the untrained model's at iteration 0 (and early scores as low) are
 * clipped at the bottom edge. Undefined when no run has validated.
 */
export function validationPlot(
  file: string,
  title: string,
  runs: readonly PlottedRun[],
  bicubic: { set: string; psnr: number },
  iterations: number,
): ReportPlot | undefined {
  const series: LineSeries[] = runs
    .filter((r) => r.summary.curves.psnr.length > 0)
    .map((r) => ({ name: legendName(r), points: r.summary.curves.psnr, markers: true }));
  if (series.length === 0) return undefined;
  const top = Math.max(bicubic.psnr, ...series.flatMap((s) => s.points.map((p) => p[1])));
  const bottom = Math.min(bicubic.psnr - PSNR_AXIS_BELOW_BICUBIC_DB, ...series.map((s) => s.points.at(-1)![1] - 0.5));
  series.push({
    name: `bicubic (${bicubic.set})`,
    points: [
      [0, bicubic.psnr],
      [iterations, bicubic.psnr],
    ],
    dashed: true,
  });
  const svg = renderLineChart({
    title,
    xLabel: 'iteration',
    yLabel: `${bicubic.set} Y-PSNR (dB)`,
    series,
    yRange: [bottom, top + 0.3],
  });
  return { file, title, svg };
}

/** Training L1 loss (mean per log interval) against iteration on a log scale; undefined when no run has logged a loss. */
export function lossPlot(file: string, title: string, runs: readonly PlottedRun[]): ReportPlot | undefined {
  const series: LineSeries[] = runs.filter((r) => r.summary.curves.loss.length > 0).map((r) => ({ name: legendName(r), points: r.summary.curves.loss }));
  if (series.length === 0) return undefined;
  return { file, title, svg: renderLineChart({ title, xLabel: 'iteration', yLabel: 'training L1 loss', yScale: 'log', series }) };
}
