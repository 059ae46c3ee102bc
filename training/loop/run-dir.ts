import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config/experiment';
import { resolveRepoPath, withRepoRelativePaths } from '../config/load';
import { validateExperimentConfig } from '../config/validate';

export const RUN_CONFIG_FILE = 'config.json';
export const RUN_LOG_FILE = 'log.jsonl';

/** A run directory that cannot be used as asked (would overwrite a run, or has nothing to resume). */
export class RunDirectoryError extends Error {
  override readonly name = 'RunDirectoryError';
}

/** Where a run lives unless `--run-dir` says otherwise: `training/runs/<name>/` (git-ignored). */
export function defaultRunDir(config: ExperimentConfig): string {
  return resolveRepoPath(join('training', 'runs', config.name));
}

/**
 * Settings that may change when a run is resumed because they do not alter what the
 * optimiser computes (extending `iterations` continues the same trajectory; the backend
 * and the number of gradient workers change only float rounding).
 */
const RESUMABLE_CHANGES = new Set([
  'description',
  'train.iterations',
  'train.backend',
  'train.workers',
  'train.logEvery',
  'train.validateEvery',
  'train.checkpointEvery',
  'train.keepCheckpoints',
]);

/**
 * Creates or reopens a run directory and writes the (validated, defaults filled, `extends`
 * merged) config into it, its paths relative to the repository root (see `withRepoRelativePaths`).
 * A fresh start refuses a directory that already holds a run, so nothing is
 * overwritten by accident; a resume requires one, and may change only the settings in
 * `RESUMABLE_CHANGES`. Returns the config paths that changed on resume.
 */
export async function openRunDirectory(runDir: string, config: ExperimentConfig, resume: boolean): Promise<string[]> {
  const configPath = join(runDir, RUN_CONFIG_FILE);
  const existing = await stat(configPath).then(
    () => true,
    () => false,
  );
  if (existing && !resume) {
    throw new RunDirectoryError(`${runDir} already holds a run; pass --resume to continue it, or --run-dir to start a new one elsewhere`);
  }
  if (!existing && resume) throw new RunDirectoryError(`nothing to resume: ${configPath} does not exist`);
  const stored = withRepoRelativePaths(config);
  // Compared as stored: a run folder written with absolute paths (before they were relativized) resumes too.
  const changed = existing ? changedPaths(withRepoRelativePaths(await readRunConfig(runDir)), stored) : [];
  const forbidden = changed.filter((path) => !RESUMABLE_CHANGES.has(path));
  if (forbidden.length > 0) {
    throw new RunDirectoryError(`cannot resume ${runDir} with a different ${forbidden.join(', ')}; only ${[...RESUMABLE_CHANGES].join(', ')} may change`);
  }
  await mkdir(runDir, { recursive: true });
  await writeFile(configPath, `${JSON.stringify(stored, null, 2)}\n`);
  return changed;
}

/** The config a run was started (or last resumed) with. */
export async function readRunConfig(runDir: string): Promise<ExperimentConfig> {
  const configPath = join(runDir, RUN_CONFIG_FILE);
  return validateExperimentConfig(JSON.parse(await readFile(configPath, 'utf8')), configPath);
}

/** Dotted paths of the leaves that differ between two JSON values (`train.lr`, `data.train`). */
export function changedPaths(before: unknown, after: unknown, path = ''): string[] {
  const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => changedPaths(before[key], after[key], path === '' ? key : `${path}.${key}`));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [path];
}
