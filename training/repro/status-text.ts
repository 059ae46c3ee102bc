import type { RunSummary } from './collect';
import type { RunStatus } from './run-state';

/** One run's state in words, e.g. `partial: 1,250 of 2,000 iterations logged`. */
export function describeStatus(status: RunStatus, iterations: number): string {
  const count = (n: number) => n.toLocaleString('en-US');
  switch (status.state) {
    case 'missing':
      return 'missing (not run yet)';
    case 'partial':
      return `partial: ${count(status.iteration)} of ${count(iterations)} iterations logged`;
    case 'finished':
      return `finished (${count(status.iteration)} iterations)`;
    case 'diverged':
      return `diverged at iteration ${count(status.iteration)}: ${status.reason}`;
  }
}

/** A group's states counted, finished first: `3/3 finished`, `1/3 finished, 1 partial, 1 missing`. */
export function statusCounts(statuses: readonly RunStatus[]): string {
  const count = (state: RunStatus['state']) => statuses.filter((s) => s.state === state).length;
  const others = (['partial', 'diverged', 'missing'] as const).filter((state) => count(state) > 0).map((state) => `${count(state)} ${state}`);
  return [`${count('finished')}/${statuses.length} finished`, ...others].join(', ');
}

/** How many runs finished; the unfinished ones that have started are named (missing ones are listed under Runs). */
export function stateLine(runs: readonly RunSummary[]): string {
  const count = (state: string) => runs.filter((r) => r.status.state === state).length;
  if (count('finished') === runs.length) return `**State:** all ${runs.length} runs finished.`;
  const started = runs.filter((r) => r.status.state === 'partial' || r.status.state === 'diverged');
  const names = started.map((r) => `\`${r.experiment.config.name}\` (${r.status.state})`).join(', ');
  return [
    `**State:** ${count('finished')} of ${runs.length} runs finished, ${count('missing')} not started${started.length === 0 ? '' : `, ${started.length} partial or diverged: ${names}`}.`,
    'Runs that have not finished contribute no number to the tables; curves of partial and diverged runs are plotted and marked as such.',
  ].join(' ');
}
