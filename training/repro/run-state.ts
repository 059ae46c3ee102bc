import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config/experiment';
import { RUN_CONFIG_FILE } from '../loop/run-dir';
import type { LogRecord } from '../loop/run-log';
import { readRunLog } from '../reports/plot/run-curves';

/** The runner's own record of each training session of a run, next to the trainer's log.jsonl. */
export const SESSIONS_FILE = 'repro-sessions.jsonl';

/** One call of `train()` by the suite runner: what it achieved and what it cost. */
export interface SessionRecord {
  readonly startIteration: number;
  readonly endIteration: number;
  readonly outcome: 'finished' | 'interrupted' | 'diverged';
  /** Why the run was declared diverged (outcome 'diverged' only). */
  readonly divergence?: string;
  /** Process CPU time (user + system) spent in the session, in seconds. */
  readonly cpuSec: number;
  readonly wallSec: number;
  /** The CPU it ran on, since speed figures mean little without it. */
  readonly cpuModel: string;
  /** Logical cores of the machine (`availableParallelism`); absent in sessions recorded before it was. */
  readonly cores?: number;
  /**
   * The machine's 1-minute load average, meaned over the samples taken at each logged training
   * record: what the session's speed was measured under on a shared machine. Absent in sessions
   * recorded before it was, and in sessions that logged no training record.
   */
  readonly loadAverage?: number;
  readonly time: string;
}

/** Where a run stands, from its run directory. */
export type RunStatus =
  | { readonly state: 'missing' }
  | { readonly state: 'partial'; readonly iteration: number }
  | { readonly state: 'finished'; readonly iteration: number }
  | { readonly state: 'diverged'; readonly iteration: number; readonly reason: string };

/** The state of a run that is over: what a committed record holds. */
export type EndedStatus = Extract<RunStatus, { readonly state: 'finished' | 'diverged' }>;

/** The sessions recorded for a run, oldest first; none for a run the runner never trained. */
export async function readSessions(runDir: string): Promise<SessionRecord[]> {
  const text = await readFile(join(runDir, SESSIONS_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as SessionRecord);
}

export async function appendSession(runDir: string, record: SessionRecord): Promise<void> {
  await appendFile(join(runDir, SESSIONS_FILE), `${JSON.stringify(record)}\n`);
}

/**
 * Classifies a run: diverged once the runner recorded a divergence (final: rerunning the
 * same config would diverge again); finished when the trainer logged a finish at the
 * config's iteration count or beyond; partial when it has started; missing otherwise.
 */
export async function runStatus(runDir: string, config: ExperimentConfig, log: readonly LogRecord[], sessions: readonly SessionRecord[]): Promise<RunStatus> {
  const diverged = sessions.find((s) => s.outcome === 'diverged');
  if (diverged !== undefined) return { state: 'diverged', iteration: diverged.endIteration, reason: diverged.divergence ?? 'diverged' };
  const finished = log.some((r) => r.type === 'stop' && r.reason === 'finished' && r.iteration >= config.train.iterations);
  const iteration = Math.max(0, ...log.map((r) => r.iteration));
  if (finished) return { state: 'finished', iteration };
  const started = await stat(join(runDir, RUN_CONFIG_FILE)).then(
    () => true,
    () => false,
  );
  return started ? { state: 'partial', iteration } : { state: 'missing' };
}

/** A run's log, sessions and state. */
export interface RunRecords {
  readonly log: LogRecord[];
  readonly sessions: SessionRecord[];
  readonly status: RunStatus;
}

/**
 * Reads a run from `dir`, a run directory or a committed record alike (see locateRun), so
 * the runner and the report judge both the same way.
 *
 * @example
 * const { status } = await readRun((await locateRun(config, roots)).dir, config);
 */
export async function readRun(dir: string, config: ExperimentConfig): Promise<RunRecords> {
  const log = await readRunLog(dir);
  const sessions = await readSessions(dir);
  return { log, sessions, status: await runStatus(dir, config, log, sessions) };
}
