import { GraphBuilder } from './builder';
import { DIV2K_RGB_MEAN, type EdsrConfig } from './config';
import type { ArchGraph } from './graph';

/**
 * EDSR baseline (Lim et al., 2017): mean shift, head 3x3, conv-ReLU-conv residual blocks
 * at constant width, a body-end conv with the global residual, then the conv + pixel
 * shuffle upsampler (two x2 stages for x4) and a final 3x3 conv to RGB.
 */
export function buildEdsr(config: EdsrConfig): ArchGraph {
  const g = new GraphBuilder(config.normalization);
  const { nFeats, scale } = config;
  const input = 'lr';
  const shifted = g.affine(
    input,
    1,
    DIV2K_RGB_MEAN.map((m) => -m),
  );
  const outer = config.normalization === 'batch' ? 'none' : config.normalization;

  const head = g.conv('head', shifted, 3, nFeats, 3, outer);
  let x = head;
  for (let i = 0; i < config.nBlocks; i++) {
    const prefix = `body/${i}`;
    const branch = g.conv(`${prefix}/conv2`, g.relu(g.conv(`${prefix}/conv1`, x, nFeats, nFeats, 3)), nFeats, nFeats, 3);
    x = g.add(x, g.scale(branch, config.resScale));
  }
  x = g.add(g.conv('body_end', x, nFeats, nFeats, 3, outer), head);

  const stages = scale === 4 ? [2, 2] : [scale];
  stages.forEach((factor, i) => {
    x = g.pixelShuffle(g.conv(`upsample/${i}`, x, nFeats, nFeats * factor * factor, 3, outer), factor);
  });
  const rgb = g.conv('tail', x, nFeats, 3, 3, outer);
  const output = g.affine(rgb, 1, DIV2K_RGB_MEAN);
  return g.finish(input, output, scale);
}
