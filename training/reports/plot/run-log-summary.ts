import type { LogRecord } from '../../loop/run-log';

/** About how many training records a summary keeps: enough for a smooth loss curve, few enough to commit. */
const SUMMARY_TRAIN_POINTS = 500;

/**
 * A run's log without the bulk, for committing next to its results: every validation,
 * start and stop record, and the training records at a stride that leaves at most about
 * `SUMMARY_TRAIN_POINTS` of them. The stride is a multiple of 10 (log intervals usually
 * are), except that a run short enough to keep them all does. Checkpoint records are
 * dropped, since the checkpoints they name are not committed.
 *
 * @example
 * const summary = summarizeRunLog(await readRunLog(runDir));
 * await writeFile(join(summaryDir, RUN_LOG_FILE), summary.map((r) => `${JSON.stringify(r)}\n`).join(''));
 */
export function summarizeRunLog(records: readonly LogRecord[]): LogRecord[] {
  const lastIteration = Math.max(0, ...records.map((r) => r.iteration));
  const perPoint = Math.ceil(lastIteration / SUMMARY_TRAIN_POINTS);
  const stride = perPoint <= 1 ? 1 : Math.ceil(perPoint / 10) * 10;
  return records.filter((r) => r.type === 'val' || r.type === 'start' || r.type === 'stop' || (r.type === 'train' && r.iteration % stride === 0));
}
