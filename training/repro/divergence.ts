import type { LogRecord } from '../loop/run-log';

export interface DivergenceRule {
  /** How many times its best interval mean the loss must reach to count as exploded. */
  readonly factor: number;
  /** Consecutive log intervals it must stay there, so a spike the run recovers from is not a divergence. */
  readonly patience: number;
}

/**
 * A loss of 10x its best that lasts three log intervals is a run that has blown up: L1 on
 * [0, 1] images starts near 0.1-0.3 and falls, and a model that fits an untrained model's
 * error again for that long does not come back within the budget.
 */
const DEFAULT_DIVERGENCE_RULE: DivergenceRule = { factor: 10, patience: 3 };

/**
 * Watches the training records of a run for a loss that explodes while staying finite
 * (a non-finite loss stops the trainer by itself, with a `DivergedError`). Feed it the
 * run's earlier records first when resuming, so "best" covers the whole run.
 *
 * @example
 * const monitor = new DivergenceMonitor();
 * const reason = monitor.observe(record); // a sentence when the run has diverged, else undefined
 */
export class DivergenceMonitor {
  private best = Number.POSITIVE_INFINITY;
  private above = 0;

  constructor(private readonly rule: DivergenceRule = DEFAULT_DIVERGENCE_RULE) {}

  observe(record: LogRecord): string | undefined {
    if (record.type !== 'train') return undefined;
    if (!Number.isFinite(record.loss)) return `loss became ${record.loss} by iteration ${record.iteration}`;
    if (record.loss > this.rule.factor * this.best) {
      this.above += 1;
      if (this.above >= this.rule.patience) {
        return `loss exploded: ${record.loss.toExponential(2)} at iteration ${record.iteration}, over ${this.rule.factor}x its best interval mean (${this.best.toExponential(2)}) for ${this.above} log intervals`;
      }
      return undefined;
    }
    this.above = 0;
    this.best = Math.min(this.best, record.loss);
    return undefined;
  }
}
