import type { EvalReport } from '../eval/report';
import { runCurves, type RunCurves } from '../reports/plot/run-curves';
import type { ReproExperiment } from './experiment';
import { finalEvaluation, storedFinalEvaluation } from './final-eval';
import { readRun, type RunStatus, type SessionRecord } from './run-state';
import { locateRun, type RunRoots } from './run-record';

/** Everything the report says about one experiment, all read from its record or run directory. */
export interface RunSummary<E extends ReproExperiment = ReproExperiment> {
  readonly experiment: E;
  readonly status: RunStatus;
  readonly curves: RunCurves;
  readonly sessions: readonly SessionRecord[];
  /** Over the sessions the runner recorded (a session killed outright records nothing). */
  readonly cpuSec: number;
  readonly wallSec: number;
  /** Training iterations per CPU-second, validation included; undefined before any session. */
  readonly iterationsPerCpuSecond?: number;
  /** Scores of the final checkpoint, for finished runs only. */
  readonly final?: EvalReport;
}

/**
 * Reads each experiment's run from its committed record, or from its run directory when
 * it has none (see locateRun), with the same reader. Finished runs carry their final
 * scores on `evalDirs`: a record's as stored, a run directory's computed from the final
 * checkpoint the first time (then cached there, see finalEvaluation).
 *
 * @example
 * const runs = await summarizeRuns(table1Experiments(base), { runRoot: 'training/runs/repro', recordRoot: 'docs/reproduction/runs' }, REPORT_EVAL_DIRS);
 * runs.filter((r) => r.status.state === 'finished').map((r) => finalPsnr(r, 'Set5'));
 */
export async function summarizeRuns<E extends ReproExperiment>(
  experiments: readonly E[],
  roots: RunRoots,
  evalDirs: readonly string[],
  onEvaluate?: (name: string) => void,
): Promise<RunSummary<E>[]> {
  const summaries: RunSummary<E>[] = [];
  for (const experiment of experiments) {
    const { config } = experiment;
    const { dir, recorded } = await locateRun(config, roots);
    const { log, sessions, status } = await readRun(dir, config);
    const sum = (pick: (s: SessionRecord) => number) => sessions.reduce((total, s) => total + pick(s), 0);
    const [cpuSec, iterations] = [sum((s) => s.cpuSec), sum((s) => s.endIteration - s.startIteration)];
    let final: EvalReport | undefined;
    if (status.state === 'finished') {
      if (!recorded) onEvaluate?.(config.name);
      const score = recorded ? storedFinalEvaluation : finalEvaluation;
      final = await score(dir, status.iteration, config.arch.scale, evalDirs);
    }
    summaries.push({
      experiment,
      status,
      curves: runCurves(log),
      sessions,
      cpuSec,
      wallSec: sum((s) => s.wallSec),
      ...(cpuSec > 0 ? { iterationsPerCpuSecond: iterations / cpuSec } : {}),
      ...(final === undefined ? {} : { final }),
    });
  }
  return summaries;
}

/** A finished run's mean Y-PSNR on the named set, or undefined. */
export function finalPsnr(summary: RunSummary, set: string): number | undefined {
  return summary.final?.sets.find((s) => s.set === set)?.model?.psnr;
}
