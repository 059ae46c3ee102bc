import type { WdsrBConfig } from '../../../training/archs/config';

/**
 * The small WDSR-B x2 the export, parity and reparameterization tests build (8 features, 2 blocks,
 * expansion 6, low rank 0.8, no residual scaling, weight norm), with `overrides` applied.
 *
 * @example
 * buildArch(smallWdsrB({ scale: 3, normalization: 'batch' }));
 */
export function smallWdsrB(overrides: Partial<WdsrBConfig> = {}): WdsrBConfig {
  return { arch: 'wdsr_b', scale: 2, nFeats: 8, nBlocks: 2, expansion: 6, lowRank: 0.8, resScale: 1, normalization: 'weight', ...overrides };
}
