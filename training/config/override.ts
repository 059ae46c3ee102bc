import type { ExperimentConfig, TrainConfig } from './experiment';
import { validateExperimentConfig } from './validate';

/** The `train` settings a command line may override (`--backend`, `--workers`); absent ones keep the config's. */
export type TrainOverrides = { readonly [K in 'backend' | 'workers']?: TrainConfig[K] | undefined };

/**
 * `config` with command-line overrides of its train settings, validated again, so an
 * override is held to the same rules as the key written in the file (`--workers 2` on a
 * batch-norm config fails the same way).
 *
 * @example
 * withTrainOverrides(config, { workers: 2 }, 'command line').train.workers; // 2
 */
export function withTrainOverrides(config: ExperimentConfig, overrides: TrainOverrides, source: string): ExperimentConfig {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return validateExperimentConfig({ ...config, train: { ...config.train, ...given } }, source);
}
