import { GraphBuilder } from './builder';
import { DIV2K_RGB_MEAN, type ArchConfig, type WdsrAConfig, type WdsrBBlockConv, type WdsrBConfig } from './config';
import type { ArchGraph, LinearBlockSpec } from './graph';

/**
 * WDSR-A and WDSR-B (Yu et al., Sections 3.1, 3.2 and 3.4): head 3x3, residual body,
 * tail 3x3 to 3s^2 channels then pixel shuffle, plus a global 5x5 skip from the
 * mean-shifted input, also pixel-shuffled; no conv after the shuffle.
 * The value scaling follows the official code: (x - mean) * 2 in, y / 2 + mean out
 * (its (255x - 255 mean) / 127.5), so the network sees roughly [-1, 1].
 */
export function buildWdsr(config: WdsrAConfig | WdsrBConfig): ArchGraph {
  const g = new GraphBuilder(config.normalization);
  const { nFeats, scale } = config;
  const outChannels = 3 * scale * scale;
  const input = 'lr';
  const shifted = g.affine(
    input,
    2,
    DIV2K_RGB_MEAN.map((m) => -2 * m),
  );

  let x = g.conv('head', shifted, 3, nFeats, 3, headTailNormalization(config));
  for (let i = 0; i < config.nBlocks; i++) {
    const prefix = `body/${i}`;
    const branch = config.arch === 'wdsr_b' ? wdsrBBranch(g, prefix, x, config) : wdsrABranch(g, prefix, x, config);
    x = g.add(x, g.scale(branch, config.resScale));
  }
  const tail = g.pixelShuffle(g.conv('tail', x, nFeats, outChannels, 3, headTailNormalization(config)), scale);
  const skip = g.pixelShuffle(g.conv('skip', shifted, 3, outChannels, 5, headTailNormalization(config)), scale);
  const sum = g.add(tail, skip);
  const output = g.affine(sum, 0.5, DIV2K_RGB_MEAN);
  return g.finish(input, output, scale);
}

/** Weight norm covers every conv in the official code; batch norm only sits inside residual blocks. */
function headTailNormalization(config: WdsrAConfig | WdsrBConfig) {
  return config.normalization === 'batch' ? 'none' : config.normalization;
}

function wdsrBBranch(g: GraphBuilder, prefix: string, x: string, config: WdsrBConfig): string {
  const wide = config.nFeats * config.expansion;
  const lowRank = Math.floor(config.nFeats * config.lowRank);
  const conv = (role: WdsrBBlockConv, input: string, inChannels: number, outChannels: number, kernelSize: number) =>
    g.conv(
      `${prefix}/${role}`,
      input,
      inChannels,
      outChannels,
      kernelSize,
      config.normalization,
      linearBlockOf(config, role, inChannels, outChannels, kernelSize),
    );
  const expanded = g.relu(conv('expand', x, config.nFeats, wide, 1));
  const reduced = conv('reduce', expanded, wide, lowRank, 1);
  return conv('spatial', reduced, lowRank, config.nFeats, 3);
}

/**
 * How a block conv trains under `config.reparam`: a collapsible linear block when listed, else plain.
 * Its hidden width is `expansion` times the most rank the collapsed conv can have (as a
 * `[k*k*in, out]` matrix), so any expansion >= 1 can express every conv of the plain network.
 */
function linearBlockOf(config: WdsrBConfig, role: WdsrBBlockConv, inChannels: number, outChannels: number, kernelSize: number): LinearBlockSpec | undefined {
  const { reparam } = config;
  if (reparam === undefined || !reparam.convs.includes(role)) return undefined;
  return { hidden: reparam.expansion * Math.min(kernelSize * kernelSize * inChannels, outChannels), identity: inChannels === outChannels };
}

/** The architecture without its training-time re-parameterization: the network a reparam model collapses into. */
export function withoutReparam<T extends ArchConfig>(config: T): T {
  if (config.arch !== 'wdsr_b' || config.reparam === undefined) return config;
  const { reparam: _, ...plain } = config;
  return plain as T;
}

function wdsrABranch(g: GraphBuilder, prefix: string, x: string, config: WdsrAConfig): string {
  const expanded = g.relu(g.conv(`${prefix}/expand`, x, config.nFeats, config.blockFeats, 3));
  return g.conv(`${prefix}/project`, expanded, config.blockFeats, config.nFeats, 3);
}
