import type { SetMetrics } from '../onnx/manifest';
import type { SetResult } from '../metrics/evaluate';

/** One benchmark set: the bicubic baseline always, the model's scores unless the model is bicubic. */
export interface SetReport {
  readonly set: string;
  readonly bicubic: SetResult;
  readonly model?: SetResult;
}

/** Everything one eval run measured; `--json` prints exactly this. */
export interface EvalReport {
  readonly scale: number;
  readonly model: string;
  readonly sets: SetReport[];
}

/**
 * A fixed-width table of per-set means, PSNR to 2 decimals and SSIM to 4 as SR papers print them.
 *
 * @example
 * formatReportTable(report);
 * // x2 Y-PSNR / Y-SSIM (shave 2), model: bicubic
 * // set         bicubic PSNR  bicubic SSIM
 * // Set5               33.67        0.9304
 */
export function formatReportTable(report: EvalReport): string {
  const withModel = report.sets.some((set) => set.model !== undefined);
  const header = ['set', ...(withModel ? ['model PSNR', 'model SSIM'] : []), 'bicubic PSNR', 'bicubic SSIM'];
  const rows = report.sets.map((set) => [
    set.set,
    ...(set.model ? [set.model.psnr.toFixed(2), set.model.ssim.toFixed(4)] : withModel ? ['-', '-'] : []),
    set.bicubic.psnr.toFixed(2),
    set.bicubic.ssim.toFixed(4),
  ]);
  const firstWidth = Math.max(...[header, ...rows].map((row) => row[0]!.length));
  const line = (row: string[]): string => row.map((cell, i) => (i === 0 ? cell.padEnd(firstWidth) : cell.padStart(14))).join('');
  const title = `x${report.scale} Y-PSNR (dB) / Y-SSIM, shave ${report.scale}, model: ${report.model}`;
  return [title, line(header), ...rows.map(line)].join('\n');
}

/** Per-set scores as the model manifest records them: PSNR to 3 decimals, SSIM to 4, model beside bicubic. */
export function manifestSetMetrics(report: EvalReport): Record<string, SetMetrics> {
  const round = (value: number, digits: number) => Number(value.toFixed(digits));
  return Object.fromEntries(
    report.sets.map((set) => {
      if (set.model === undefined) throw new Error(`${set.set}: the report holds bicubic scores only`);
      return [
        set.set,
        { psnr: round(set.model.psnr, 3), ssim: round(set.model.ssim, 4), bicubicPsnr: round(set.bicubic.psnr, 3), bicubicSsim: round(set.bicubic.ssim, 4) },
      ];
    }),
  );
}
