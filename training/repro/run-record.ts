import { copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config/experiment';
import { withRepoRelativePaths } from '../config/load';
import { ConfigError } from '../config/validate';
import { changedPaths, readRunConfig, RUN_CONFIG_FILE, RUN_LOG_FILE } from '../loop/run-dir';
import { readRunLog } from '../reports/plot/run-curves';
import { summarizeRunLog } from '../reports/plot/run-log-summary';
import { FINAL_EVAL_FILE } from './final-eval';
import { SESSIONS_FILE, type EndedStatus } from './run-state';

/** Where a suite's runs live: run directories (lost with the machine) and the committed records of finished ones. */
export interface RunRoots {
  /** Each experiment trains in `<runRoot>/<config.name>` (git-ignored, with its checkpoints). */
  readonly runRoot: string;
  /** A finished or diverged run is kept in `<recordRoot>/<config.name>` (committed, no checkpoints). */
  readonly recordRoot: string;
}

/** Where to read a run from, and why not from its record when one exists. */
export interface RunLocation {
  readonly dir: string;
  /** True when `dir` is the run's committed record. */
  readonly recorded: boolean;
  /** The settings in which an existing record differs from the experiment's config (the record is then ignored). */
  readonly staleRecord?: readonly string[];
}

/**
 * Settings a record may differ in and still stand for the experiment: the free-text
 * description changes nothing the run computed, and rewording a suite must not throw away
 * hours of training.
 */
const IGNORED_SETTINGS = new Set(['description']);

/**
 * The committed record of a run when its config matches `config` in every setting (the
 * description aside), else its run directory. Records made under another budget (patch,
 * schedule, data, anything) therefore stop counting when the budget changes.
 *
 * @example
 * const { dir } = await locateRun(experiment.config, { runRoot: 'training/runs/repro', recordRoot: 'docs/reproduction/runs' });
 * const log = await readRunLog(dir);
 */
export async function locateRun(config: ExperimentConfig, roots: RunRoots): Promise<RunLocation> {
  const runDir = join(roots.runRoot, config.name);
  const recordDir = join(roots.recordRoot, config.name);
  const exists = await stat(join(recordDir, RUN_CONFIG_FILE)).then(
    () => true,
    () => false,
  );
  if (!exists) return { dir: runDir, recorded: false };
  const differences = await readRunConfig(recordDir).then(
    // Compared as stored: records keep paths relative to the repository root.
    (recorded) => changedPaths(withRepoRelativePaths(recorded), withRepoRelativePaths(config)).filter((path) => !IGNORED_SETTINGS.has(path)),
    (error: unknown) => {
      if (error instanceof ConfigError) return [`its config, no longer valid (${error.issues.join('; ')})`];
      throw error;
    },
  );
  return differences.length === 0 ? { dir: recordDir, recorded: true } : { dir: runDir, recorded: false, staleRecord: differences };
}

/**
 * Writes the record of a finished or diverged run to `<recordRoot>/<config.name>`, laid
 * out like a run directory so the same readers serve both: the config, the log summarized
 * (see summarizeRunLog), the runner's session records and, for a finished run, its final
 * scores (finalEvaluation must have stored them in the run directory). An older record of
 * the same name is replaced whole, so no file of another budget survives in it.
 */
export async function persistRun(runDir: string, config: ExperimentConfig, state: EndedStatus['state'], recordRoot: string): Promise<string> {
  const recordDir = join(recordRoot, config.name);
  await rm(recordDir, { recursive: true, force: true });
  await mkdir(recordDir, { recursive: true });
  await writeFile(join(recordDir, RUN_CONFIG_FILE), `${JSON.stringify(withRepoRelativePaths(config), null, 2)}\n`);
  const summary = summarizeRunLog(await readRunLog(runDir));
  await writeFile(join(recordDir, RUN_LOG_FILE), summary.map((record) => `${JSON.stringify(withRepoRelativePaths(record))}\n`).join(''));
  for (const file of state === 'finished' ? [SESSIONS_FILE, FINAL_EVAL_FILE] : [SESSIONS_FILE]) await copyFile(join(runDir, file), join(recordDir, file));
  return recordDir;
}
