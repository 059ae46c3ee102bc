import type { Normalization } from './graph';

/** The DIV2K training-set RGB mean the paper subtracts from inputs (on a [0, 1] scale). */
export const DIV2K_RGB_MEAN = [0.4488, 0.4371, 0.404] as const;

interface CommonArchConfig {
  readonly scale: 2 | 3 | 4;
  /** Width of the identity (skip) pathway. */
  readonly nFeats: number;
  readonly nBlocks: number;
  /** Multiplier on each residual branch before it is added back. */
  readonly resScale: number;
  readonly normalization: Normalization;
}

/** WDSR-B: 1x1 expand (ReLU), 1x1 linear low-rank, 3x3 back to `nFeats`. */
export interface WdsrBConfig extends CommonArchConfig {
  readonly arch: 'wdsr_b';
  /** Expansion before the ReLU (the paper's 6x to 9x). */
  readonly expansion: number;
  /** Width of the linear low-rank conv as a fraction of `nFeats` (floored). */
  readonly lowRank: number;
}

/** WDSR-A: 3x3 expand to `blockFeats` (ReLU), 3x3 back to `nFeats`. */
export interface WdsrAConfig extends CommonArchConfig {
  readonly arch: 'wdsr_a';
  readonly blockFeats: number;
}

/** EDSR baseline: conv-ReLU-conv blocks at constant width, body-end conv, conv upsampler. */
export interface EdsrConfig extends CommonArchConfig {
  readonly arch: 'edsr';
}

export type ArchConfig = WdsrBConfig | WdsrAConfig | EdsrConfig;
