import { join } from 'node:path';
import type { EvalReport } from '../eval/report';
import { readRunLog, runCurves, type RunCurves } from '../plot/run-curves';
import type { ReproExperiment } from './experiment';
import { finalEvaluation } from './final-eval';
import { readSessions, runStatus, type RunStatus, type SessionRecord } from './run-state';

/** Everything the report says about one experiment, all read or measured from its run directory. */
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
 * Reads each experiment's run under `runRoot` and scores the final checkpoint of every
 * finished one on `evalDirs` (cached in the run directory, see finalEvaluation).
 *
 * @example
 * const runs = await summarizeRuns(table1Experiments(base), 'training/runs/repro', REPORT_EVAL_DIRS);
 * runs.filter((r) => r.status.state === 'finished').map((r) => finalPsnr(r, 'Set5'));
 */
export async function summarizeRuns<E extends ReproExperiment>(
  experiments: readonly E[],
  runRoot: string,
  evalDirs: readonly string[],
  onEvaluate?: (name: string) => void,
): Promise<RunSummary<E>[]> {
  const summaries: RunSummary<E>[] = [];
  for (const experiment of experiments) {
    const { config } = experiment;
    const runDir = join(runRoot, config.name);
    const log = await readRunLog(runDir);
    const sessions = await readSessions(runDir);
    const status = await runStatus(runDir, config, log, sessions);
    const sum = (pick: (s: SessionRecord) => number) => sessions.reduce((total, s) => total + pick(s), 0);
    const [cpuSec, iterations] = [sum((s) => s.cpuSec), sum((s) => s.endIteration - s.startIteration)];
    let final: EvalReport | undefined;
    if (status.state === 'finished') {
      onEvaluate?.(config.name);
      final = await finalEvaluation(runDir, status.iteration, config.arch.scale, evalDirs);
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
