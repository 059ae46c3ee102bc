import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeValue } from './checks';
import type { ExperimentConfig } from './experiment';
import { ConfigError, validateExperimentConfig } from './validate';

/** The repository root, which config paths (`../shared/datasets/...`) are relative to, whatever the cwd. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * How configs, commands and reports name the datasets folder: this path, relative to the
 * repository root, stands for the one setting `WDSR_DATASETS` (a folder, absolute or relative to
 * the repository root) wherever the datasets really are, so configs and logs read the same on
 * every machine.
 */
export const DATASETS_FOLDER = '../shared/datasets';

/** The datasets folder on this machine: `WDSR_DATASETS`, default `DATASETS_FOLDER`. */
export function datasetsDir(): string {
  return resolve(REPO_ROOT, process.env.WDSR_DATASETS || DATASETS_FOLDER);
}

/**
 * A config path made absolute against the repository root; a path under `DATASETS_FOLDER` lands
 * in `datasetsDir()`.
 *
 * @example
 * resolveRepoPath('../shared/datasets/Set5/HR'); // '/data/sr/Set5/HR' with WDSR_DATASETS=/data/sr
 */
export function resolveRepoPath(path: string): string {
  if (isAbsolute(path)) return path;
  const inDatasets = pathWithin(DATASETS_FOLDER, path);
  return inDatasets === undefined ? resolve(REPO_ROOT, path) : join(datasetsDir(), inDatasets);
}

/**
 * A path as generated files (run configs and logs, reports) store it: relative to the repository
 * root, so they name no folder of the machine they were made on (with the repository in
 * `<parent>/main`, `<parent>/runs/x` is stored as `../runs/x`), and a path in the datasets
 * folder under `DATASETS_FOLDER` wherever `WDSR_DATASETS` puts it. Relative paths are returned as they are.
 *
 * @example
 * repoRelativePath(resolveRepoPath('model/wdsr-b-x2-f16b8-decay20k-fp32.onnx')); // 'model/wdsr-b-x2-f16b8-decay20k-fp32.onnx'
 */
export function repoRelativePath(path: string): string {
  if (!isAbsolute(path)) return path;
  const inDatasets = pathWithin(datasetsDir(), path);
  if (inDatasets !== undefined) return inDatasets === '' ? DATASETS_FOLDER : `${DATASETS_FOLDER}/${inDatasets}`;
  return relative(REPO_ROOT, path) || '.';
}

/** `path` relative to `folder` when it lies in it (`''` for the folder itself), else undefined. */
function pathWithin(folder: string, path: string): string | undefined {
  const inside = relative(folder, path);
  return inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside) ? undefined : inside;
}

/**
 * A JSON value (a config, a log record) with every string that is an absolute path made relative
 * to the repository root (see `repoRelativePath`): what the writers of run folders and reports store.
 *
 * @example
 * await writeFile(configPath, `${JSON.stringify(withRepoRelativePaths(config), null, 2)}\n`);
 */
export function withRepoRelativePaths<T>(value: T): T {
  if (typeof value === 'string') return repoRelativePath(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withRepoRelativePaths(item)) as T;
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withRepoRelativePaths(item)])) as T;
  return value;
}

/**
 * Reads, validates and checks an experiment config: its `extends` chain merged in (see
 * `readExtendedConfig`), the schema (see validate.ts) and that every data directory exists,
 * so a bad config fails before any training starts.
 *
 * @example
 * const config = await loadExperimentConfig('training/configs/wdsr_b_x2_f32b8.json');
 */
export async function loadExperimentConfig(file: string, options: { readonly checkData?: boolean } = {}): Promise<ExperimentConfig> {
  const config = validateExperimentConfig(await readExtendedConfig(file), file);
  // Tests that only read a config's settings skip the data check (the datasets may be absent).
  if (options.checkData !== false) await assertDataDirectories(config, file);
  return config;
}

/**
 * A config file's JSON with what it `extends` merged in: `"extends": "<path relative to this
 * file>"` names a base config, read the same way (so bases may extend bases; a cycle is an error),
 * which the file's own keys then override (see `mergeConfig`). The result has no `extends`: it is
 * the self-contained config that is validated and copied into the run folder.
 *
 * @example
 * // restart.json: { "extends": "base.json", "name": "restart", "train": { "lr": 5e-4 } }
 * const raw = await readExtendedConfig('training/configs/restart.json'); // base.json with name and train.lr replaced
 */
async function readExtendedConfig(file: string, chain: readonly string[] = []): Promise<unknown> {
  const path = resolve(file);
  if (chain.includes(path)) {
    throw new ConfigError(chain[0]!, [`extends: ${[...chain, path].map(repoRelativePath).join(' extends ')}, a cycle`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, [`cannot read JSON: ${(error as Error).message}`]);
  }
  if (!isRecord(raw) || raw.extends === undefined) return raw;
  const { extends: base, ...own } = raw;
  if (typeof base !== 'string' || base.length === 0) {
    throw new ConfigError(file, [`extends: expected the path of a base config, relative to this file, got ${describeValue(base)}`]);
  }
  return mergeConfig(await readExtendedConfig(resolve(dirname(path), base), [...chain, path]), own);
}

/**
 * `child` over `base`: two objects merge key by key, recursively; otherwise the child's value
 * replaces the base's (arrays too: `lrHalvingSteps` or `data.train` are replaced whole, never
 * concatenated).
 *
 * @example
 * mergeConfig({ train: { lr: 1e-3, seed: 1 } }, { train: { lr: 5e-4 } }); // { train: { lr: 5e-4, seed: 1 } }
 */
function mergeConfig(base: unknown, child: unknown): unknown {
  if (!isRecord(base) || !isRecord(child)) return child;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(child)) merged[key] = Object.hasOwn(base, key) ? mergeConfig(base[key], value) : value;
  return merged;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
