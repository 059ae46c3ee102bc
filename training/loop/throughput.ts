/**
 * Iterations per second over the most recent steps, for the progress line and ETA.
 * A window (not the run's average) so the estimate tracks load changes on a shared machine;
 * only training steps are timed, so validation and checkpoints do not skew it.
 */
export class Throughput {
  private readonly durations: number[] = [];

  constructor(private readonly window = 50) {}

  record(stepMs: number): void {
    this.durations.push(stepMs);
    if (this.durations.length > this.window) this.durations.shift();
  }

  iterationsPerSecond(): number {
    if (this.durations.length === 0) return 0;
    const total = this.durations.reduce((sum, ms) => sum + ms, 0);
    return (1000 * this.durations.length) / total;
  }
}

/** `3d 04h 12m`, `12m 05s` or `41s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  const [d, h, m, sec] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d}d ${pad(h)}h ${pad(m)}m`;
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(sec)}s`;
  return `${sec}s`;
}
