import type { EvalReport } from '../eval/report';
import type { LogRecord } from '../loop/run-log';
import { runCurves, type RunCurves } from '../reports/plot/run-curves';
import type { ReproExperiment } from './experiment';
import { finalEvaluation, storedFinalEvaluation } from './final-eval';
import { readRun, type RunStatus, type SessionRecord } from './run-state';
import { locateRun, type RunRoots } from './run-record';
import { median } from './stats';

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
  /** Wall seconds per training step, from the log (see `secondsPerIteration`); undefined before any logged step. */
  readonly secondsPerIteration?: number;
  /** The load average the sessions ran under, weighted by the iterations each trained; undefined where no session recorded it. */
  readonly loadAverage?: number;
  /** Logical cores of the machine, where the sessions recorded them (the most any did). */
  readonly cores?: number;
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
    const loaded = sessions.filter((s) => s.loadAverage !== undefined && s.endIteration > s.startIteration);
    const loadedIterations = loaded.reduce((total, s) => total + s.endIteration - s.startIteration, 0);
    const cores = Math.max(0, ...sessions.map((s) => s.cores ?? 0));
    const stepSeconds = secondsPerIteration(log);
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
      ...(stepSeconds === undefined ? {} : { secondsPerIteration: stepSeconds }),
      ...(loadedIterations === 0
        ? {}
        : { loadAverage: loaded.reduce((total, s) => total + s.loadAverage! * (s.endIteration - s.startIteration), 0) / loadedIterations }),
      ...(cores > 0 ? { cores } : {}),
      ...(final === undefined ? {} : { final }),
    });
  }
  return summaries;
}

/** A finished run's mean Y-PSNR on the named set, or undefined. */
export function finalPsnr(summary: RunSummary, set: string): number | undefined {
  return summary.final?.sets.find((s) => s.set === set)?.model?.psnr;
}

/**
 * Median wall seconds of one training step over a run's logged training records, each of which
 * carries the trainer's moving speed over its latest steps (`itPerSec`, only the steps timed:
 * validation, checkpoints and loading data excluded). The median, because on a shared machine a
 * few records catch a stall (another job's burst, a paused process) that a mean would spread over
 * the whole run. Undefined when nothing was logged.
 */
function secondsPerIteration(log: readonly LogRecord[]): number | undefined {
  const seconds = log.flatMap((r) => (r.type === 'train' && r.itPerSec > 0 ? [1 / r.itPerSec] : []));
  return seconds.length === 0 ? undefined : median(seconds);
}
