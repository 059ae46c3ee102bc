import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_LOG_FILE } from '../../loop/run-dir';
import type { LogRecord } from '../../loop/run-log';
import type { Point } from './line-chart';

/** The curves of one training run, each sorted by iteration. */
export interface RunCurves {
  /** Mean training L1 loss per log interval, at the interval's last iteration. */
  readonly loss: Point[];
  /** Validation Y-PSNR (dB), including the untrained model's at iteration 0. */
  readonly psnr: Point[];
  readonly ssim: Point[];
}

/**
 * The records of a run's `log.jsonl`, in file order; none when the run has not logged yet.
 * A last line cut short (the process killed mid-write) is skipped; any other bad line is an error.
 *
 * @example
 * const records = await readRunLog('training/runs/WDSR-B_x2_f24b8_T91+BSD200');
 */
export async function readRunLog(runDir: string): Promise<LogRecord[]> {
  const path = join(runDir, RUN_LOG_FILE);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const records: LogRecord[] = [];
  for (const [i, line] of lines.entries()) {
    try {
      records.push(JSON.parse(line) as LogRecord);
    } catch (error) {
      if (i === lines.length - 1 && !text.endsWith('\n')) break;
      throw new Error(`${path}:${i + 1}: not a JSON record (${(error as Error).message})`);
    }
  }
  return records;
}

/**
 * Loss and validation curves from log records. A resumed run logs again the iterations
 * between its last checkpoint and the interruption; the later record of an iteration wins,
 * because training continued from it. Non-finite values (JSON has no NaN) are left out.
 *
 * @example
 * const { loss } = runCurves(await readRunLog(runDir));
 * renderLineChart({ title: 'loss', xLabel: 'iteration', yLabel: 'L1', yScale: 'log', series: [{ name: 'run', points: loss }] });
 */
export function runCurves(records: readonly LogRecord[]): RunCurves {
  const loss = new Map<number, number>();
  const psnr = new Map<number, number>();
  const ssim = new Map<number, number>();
  for (const record of records) {
    if (record.type === 'train') loss.set(record.iteration, record.loss);
    if (record.type === 'val') {
      psnr.set(record.iteration, record.psnr);
      ssim.set(record.iteration, record.ssim);
    }
  }
  return { loss: sortedPoints(loss), psnr: sortedPoints(psnr), ssim: sortedPoints(ssim) };
}

/**
 * `runCurves` of the log in `runDir`: what a report plots for a run.
 *
 * @example
 * const { loss, psnr } = await readRunCurves('training/runs/WDSR-B_x2_f24b8_T91+BSD200');
 * const svg = renderLineChart({ title: 'Validation', xLabel: 'iteration', yLabel: 'Set5 Y-PSNR (dB)', series: [{ name: 'f24b8', points: psnr, markers: true }] });
 */
export async function readRunCurves(runDir: string): Promise<RunCurves> {
  return runCurves(await readRunLog(runDir));
}

function sortedPoints(values: ReadonlyMap<number, number>): Point[] {
  return [...values].filter(([, value]) => typeof value === 'number' && Number.isFinite(value)).sort((a, b) => a[0] - b[0]);
}
