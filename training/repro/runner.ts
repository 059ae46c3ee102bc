import { availableParallelism, cpus, loadavg } from 'node:os';
import type { TrainingHooks } from '../loop/hooks';
import { ProgressLine } from '../loop/progress';
import type { LogRecord } from '../loop/run-log';
import { DivergedError, train } from '../loop/trainer';
import { DivergenceMonitor } from './divergence';
import type { ReproExperiment } from './experiment';
import { finalEvaluation } from './final-eval';
import { appendSession, readRun, type EndedStatus, type SessionRecord } from './run-state';
import { locateRun, persistRun, type RunRoots } from './run-record';

export interface SuiteRunOptions extends RunRoots {
  readonly experiments: readonly ReproExperiment[];
  /** HR folders a finished run's final checkpoint is scored on before its record is written. */
  readonly evalDirs: readonly string[];
  /** Passed to `train()`: what the suite's runs take from exported models (warm starts, teachers). */
  readonly hooks: TrainingHooks;
  /** Aborting stops the current run after its iteration (with a checkpoint) and starts no other. */
  readonly signal?: AbortSignal;
  readonly console?: ProgressLine;
}

export type ExperimentOutcome = 'already finished' | 'already diverged' | SessionRecord['outcome'];

/**
 * Trains a suite's experiments one after the other through `train()`. A run with a
 * committed record of the same config (see locateRun) is done and skipped; otherwise its
 * run directory decides: interrupted runs resume from their newest checkpoint (a resumed
 * run is bit-identical to an uninterrupted one), missing ones start. A run whose loss turns
 * NaN or explodes (see DivergenceMonitor) is recorded as diverged and the suite moves on.
 * Each session's CPU and wall time, and the load it ran under, go to the run's `repro-sessions.jsonl`. A run that
 * finishes is scored on `evalDirs`, and a finished or diverged one is persisted to
 * `recordRoot` (see persistRun), the only part of it that outlives the machine.
 *
 * @example
 * await runSuite({ experiments: table1Experiments(base), runRoot: 'training/runs/repro', recordRoot: 'docs/reproduction/runs', evalDirs: REPORT_EVAL_DIRS, hooks: trainingHooks, signal });
 */
export async function runSuite(options: SuiteRunOptions): Promise<{ name: string; outcome: ExperimentOutcome }[]> {
  const output = options.console ?? new ProgressLine(process.stderr);
  const outcomes: { name: string; outcome: ExperimentOutcome }[] = [];
  for (const [index, experiment] of options.experiments.entries()) {
    if (options.signal?.aborted === true) break;
    const { config } = experiment;
    const position = `[${index + 1}/${options.experiments.length}] ${config.name}`;
    const location = await locateRun(config, options);
    if (location.staleRecord !== undefined)
      output.print(`${position}: its record differs in ${location.staleRecord.join(', ')}; ignored, and replaced once this run ends`);
    const { log, status } = await readRun(location.dir, config);
    if (status.state === 'finished' || status.state === 'diverged') {
      if (!location.recorded) await persist(location.dir, experiment, status, options, output);
      output.print(`${position}: already ${status.state}, skipped`);
      outcomes.push({ name: config.name, outcome: status.state === 'finished' ? 'already finished' : 'already diverged' });
      continue;
    }
    output.print(`${position}: ${status.state === 'partial' ? `resuming (${status.iteration.toLocaleString('en-US')} iterations logged)` : 'starting'}`);
    const session = await trainSession(experiment, options.hooks, location.dir, status.state === 'partial', log, options.signal, output);
    await appendSession(location.dir, session);
    output.print(
      `${position}: ${session.outcome}${session.divergence === undefined ? '' : ` (${session.divergence})`} after ${session.cpuSec.toFixed(0)} CPU s`,
    );
    const { status: after } = await readRun(location.dir, config);
    if (after.state === 'finished' || after.state === 'diverged') await persist(location.dir, experiment, after, options, output);
    outcomes.push({ name: config.name, outcome: session.outcome });
  }
  return outcomes;
}

/** Scores a finished run's final checkpoint (stored in its run directory), then writes its record. */
async function persist(runDir: string, experiment: ReproExperiment, status: EndedStatus, options: SuiteRunOptions, output: ProgressLine): Promise<void> {
  const { config } = experiment;
  if (status.state === 'finished') {
    output.print(`${config.name}: scoring the final checkpoint on ${options.evalDirs.join(', ')}`);
    await finalEvaluation(runDir, status.iteration, config.arch.scale, options.evalDirs);
  }
  output.print(
    `${config.name}: recorded in ${await persistRun(runDir, config, status.state, options.recordRoot)} (commit it: the run directory does not outlive this machine)`,
  );
}

async function trainSession(
  experiment: ReproExperiment,
  hooks: TrainingHooks,
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
  const loads: number[] = [];
  const onRecord = (record: LogRecord): void => {
    if (record.type === 'start') startIteration = record.iteration;
    if (record.type === 'train') loads.push(loadavg()[0]!);
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
    const result = await train({ config: experiment.config, runDir, resume, hooks, signal, console: output, onRecord });
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
    cores: availableParallelism(),
    ...(loads.length === 0 ? {} : { loadAverage: loads.reduce((sum, load) => sum + load, 0) / loads.length }),
    time: new Date().toISOString(),
  };
}
