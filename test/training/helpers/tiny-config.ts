import type { ExperimentConfig } from '../../../training/config/experiment';
import { validateExperimentConfig } from '../../../training/config/validate';

/** A validated config for a one-block WDSR-B x2, for tests that need a checkpoint but no data. */
export function tinyExperimentConfig(name: string): ExperimentConfig {
  return validateExperimentConfig(
    {
      name,
      arch: { arch: 'wdsr_b', scale: 2, nFeats: 8, nBlocks: 1, expansion: 4, lowRank: 0.8, resScale: 1, normalization: 'weight' },
      data: { train: ['a'], val: 'b', hrPatchSize: 16 },
      train: { iterations: 10, batchSize: 2, lrHalvingSteps: [], seed: 3, logEvery: 1, validateEvery: 0, checkpointEvery: 1, keepCheckpoints: 2 },
    },
    'inline',
  );
}
