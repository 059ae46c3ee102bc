import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExperimentConfig } from './experiment';
import { ConfigError, validateExperimentConfig } from './validate';

/** The repository root, which config paths (`../shared/datasets/...`) are relative to, whatever the cwd. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A config path made absolute against the repository root. */
export function resolveRepoPath(path: string): string {
  return isAbsolute(path) ? path : resolve(REPO_ROOT, path);
}

/**
 * Reads, validates and checks an experiment config: schema (see validate.ts) and that
 * every data directory exists, so a bad config fails before any training starts.
 *
 * @example
 * const config = await loadExperimentConfig('training/configs/wdsr_b_x2_f32b8.json');
 */
export async function loadExperimentConfig(file: string, options: { readonly checkData?: boolean } = {}): Promise<ExperimentConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, [`cannot read JSON: ${(error as Error).message}`]);
  }
  const config = validateExperimentConfig(raw, file);
  // Tests that only read a config's settings skip the data check (the datasets may be absent).
  if (options.checkData !== false) await assertDataDirectories(config, file);
  return config;
}

/** Fails with every configured data directory that is missing. */
export async function assertDataDirectories(config: ExperimentConfig, source: string): Promise<void> {
  const entries: [string, string][] = [...config.data.train.map((dir, i): [string, string] => [`data.train[${i}]`, dir]), ['data.val', config.data.val]];
  const missing: string[] = [];
  for (const [path, dir] of entries) {
    const isDirectory = await stat(resolveRepoPath(dir)).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDirectory) missing.push(`${path}: no directory at ${resolveRepoPath(dir)}`);
  }
  if (missing.length > 0) throw new ConfigError(source, missing);
}
