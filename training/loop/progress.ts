import { formatDuration } from './throughput';

export interface ProgressState {
  readonly iteration: number;
  readonly totalIterations: number;
  /** Mean L1 loss over the reported interval. */
  readonly loss: number;
  readonly learningRate: number;
  readonly iterationsPerSecond: number;
}

/** `iter 1,230/300,000 | loss 1.234e-2 | lr 1.0e-3 | 0.95 it/s | ETA 3d 12h 05m` */
export function formatProgress(state: ProgressState): string {
  const remaining = state.totalIterations - state.iteration;
  const eta = state.iterationsPerSecond > 0 ? formatDuration(remaining / state.iterationsPerSecond) : '--';
  return [
    `iter ${state.iteration.toLocaleString('en-US')}/${state.totalIterations.toLocaleString('en-US')}`,
    `loss ${state.loss.toExponential(3)}`,
    `lr ${state.learningRate.toExponential(1)}`,
    `${state.iterationsPerSecond.toFixed(2)} it/s`,
    `ETA ${eta}`,
  ].join(' | ');
}

interface TextSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * The console side of training: on a terminal, a live line rewritten every iteration;
 * everywhere, permanent lines (interval summaries, validation, checkpoints) that scroll.
 */
export class ProgressLine {
  private liveShown = false;

  constructor(private readonly sink: TextSink) {}

  /** Rewrites the live line; a no-op when the output is not a terminal (logs stay clean). */
  live(text: string): void {
    if (this.sink.isTTY !== true) return;
    this.sink.write(`\r\x1b[2K${text}`);
    this.liveShown = true;
  }

  /** A line that stays, printed above the live line. */
  print(text: string): void {
    if (this.liveShown) this.sink.write('\r\x1b[2K');
    this.liveShown = false;
    this.sink.write(`${text}\n`);
  }
}
