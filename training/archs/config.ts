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

/** The convs of a WDSR-B residual block, by the last part of their node names (`body/<i>/<conv>`). */
export const WDSR_B_BLOCK_CONVS = ['expand', 'reduce', 'spatial'] as const;
export type WdsrBBlockConv = (typeof WDSR_B_BLOCK_CONVS)[number];

/**
 * Structural re-parameterization (docs/reparam-and-distillation.md): in training, each listed
 * conv of every residual block is a collapsible linear block (SESR, Bhardwaj et al. 2022): a kxk
 * conv to a hidden width (see `expansion`), a 1x1 conv back, plus the identity where
 * input and output channels agree. Nothing non-linear sits inside, so the block is one kxk conv,
 * and the export collapses it into exactly the WDSR-B conv it stands for (training/onnx/reparam-collapse.ts).
 */
export interface ReparamConfig {
  readonly kind: 'collapsible';
  /**
   * Hidden width of each block as a multiple of the most rank its conv can have, `min(k*k*in, out)`
   * (so 1 already expresses every conv, and more over-parameterizes; SESR's 3x3 16 -> 256 -> 16 is 16).
   */
  readonly expansion: number;
  /** Which convs of each residual block train as blocks (head, tail and skip stay plain). */
  readonly convs: readonly WdsrBBlockConv[];
}

/** WDSR-B: 1x1 expand (ReLU), 1x1 linear low-rank, 3x3 back to `nFeats`. */
export interface WdsrBConfig extends CommonArchConfig {
  readonly arch: 'wdsr_b';
  /** Expansion before the ReLU (the paper's 6x to 9x). */
  readonly expansion: number;
  /** Width of the linear low-rank conv as a fraction of `nFeats` (floored). */
  readonly lowRank: number;
  /** Trains the block convs over-parameterized; absent: plain. The exported graph is the same either way. */
  readonly reparam?: ReparamConfig;
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
