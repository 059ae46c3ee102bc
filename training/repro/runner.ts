import { cpus } from 'node:os';
import { join } from 'node:path';
import { ProgressLine } from '../loop/progress';
import type { LogRecord } from '../loop/run-log';
import { DivergedError, train } from '../loop/trainer';
import { readRunLog } from '../plot/run-curves';
import { DivergenceMonitor } from './divergence';
import type { ReproExperiment } from './experiment';
import { appendSession, readSessions, runStatus, type SessionRecord } from './run-state';

export interface SuiteRunOptions {
  readonly experiments: readonly ReproExperiment[];
  /** Each experiment trains in `<runRoot>/<config.name>`. */
  readonly runRoot: string;
  /** Aborting stops the current run after its iteration (with a checkpoint) and starts no other. */
  readonly signal?: AbortSignal;
  readonly console?: ProgressLine;
}

export type ExperimentOutcome = 'already finished' | 'already diverged' | SessionRecord['outcome'];

/**
 * Trains a suite's experiments one after the other through `train()`: finished and
 * diverged runs are skipped, interrupted ones resume from their newest checkpoint (a
 * resumed run is bit-identical to an uninterrupted one), missing ones start. A run whose
 * loss turns NaN or explodes (see DivergenceMonitor) is recorded as diverged and the
 * suite moves on. Each session's CPU and wall time go to the run's `repro-sessions.jsonl`.
 *
 * @example
 * await runSuite({ experiments: table1Experiments(base), runRoot: 'training/runs/repro', signal });
 */
export async function runSuite(options: SuiteRunOptions): Promise<{ name: string; outcome: ExperimentOutcome }[]> {
  const output = options.console ?? new ProgressLine(process.stderr);
  const outcomes: { name: string; outcome: ExperimentOutcome }[] = [];
  for (const [index, experiment] of options.experiments.entries()) {
    if (options.signal?.aborted === true) break;
    const { name } = experiment.config;
    const runDir = join(options.runRoot, name);
    const log = await readRunLog(runDir);
    const status = await runStatus(runDir, experiment.config, log, await readSessions(runDir));
    const position = `[${index + 1}/${options.experiments.length}] ${name}`;
    if (status.state === 'finished' || status.state === 'diverged') {
      output.print(`${position}: already ${status.state}, skipped`);
      outcomes.push({ name, outcome: status.state === 'finished' ? 'already finished' : 'already diverged' });
      continue;
    }
    output.print(`${position}: ${status.state === 'partial' ? `resuming (${status.iteration.toLocaleString('en-US')} iterations logged)` : 'starting'}`);
    const session = await trainSession(experiment, runDir, status.state === 'partial', log, options.signal, output);
    await appendSession(runDir, session);
    output.print(`${position}: ${session.outcome}${session.divergence === undefined ? '' : ` (${session.divergence})`} after ${session.cpuSec.toFixed(0)} CPU s`);
    outcomes.push({ name, outcome: session.outcome });
  }
  return outcomes;
}

async function trainSession(
  experiment: ReproExperiment,
  runDir: string,
  resume: boolean,
  earlierRecords: readonly LogRecord[],
  suiteSignal: AbortSignal | undefined,
  output: ProgressLine,
): Promise<SessionRecord> {
  const monitor = new DivergenceMonitor();
  for (const record of earlierRecords) monitor.observe(record);
  const explosion = new AbortController();
  const signal = suiteSignal === undefined ? explosion.signal : AbortSignal.any([suiteSignal, explosion.signal]);
  let divergence: string | undefined;
  let startIteration = 0;
  const onRecord = (record: LogRecord): void => {
    if (record.type === 'start') startIteration = record.iteration;
    const reason = monitor.observe(record);
    if (reason !== undefined && divergence === undefined) {
      divergence = reason;
      explosion.abort();
    }
  };
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  let endIteration: number;
  let outcome: SessionRecord['outcome'];
  try {
    const result = await train({ config: experiment.config, runDir, resume, signal, console: output, onRecord });
    endIteration = result.iteration;
    outcome = divergence !== undefined ? 'diverged' : result.interrupted ? 'interrupted' : 'finished';
  } catch (error) {
    if (!(error instanceof DivergedError)) throw error;
    [endIteration, outcome, divergence] = [error.iteration, 'diverged', error.message];
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    startIteration,
    endIteration,
    outcome,
    ...(divergence === undefined ? {} : { divergence }),
    cpuSec: (cpu.user + cpu.system) / 1e6,
    wallSec: (performance.now() - wallStart) / 1000,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    time: new Date().toISOString(),
  };
}
