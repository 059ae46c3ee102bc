/**
 * Table 1 of Yu et al. (2018), x2 on DIV2K validation (RGB PSNR, as the paper reports it),
 * for the two depths we reproduce; parameters as printed (rounded to 0.01M).
 */
export const PAPER_TABLE1 = {
  1: {
    EDSR: { params: '0.26M', psnr: 33.21 },
    'WDSR-A': { params: '0.08M', psnr: 33.323 },
    'WDSR-B': { params: '0.08M', psnr: 33.434 },
  },
  3: {
    EDSR: { params: '0.41M', psnr: 34.043 },
    'WDSR-A': { params: '0.23M', psnr: 34.163 },
    'WDSR-B': { params: '0.23M', psnr: 34.205 },
  },
} as const;

export type PaperNetwork = keyof (typeof PAPER_TABLE1)[1];

/**
 * The paper's training setup (Section 4) next to which the report states ours. The text
 * does not give the total iteration count, only the halving interval.
 */
export const PAPER_SETUP = {
  data: 'DIV2K, 800 training images (validation: 10 of the DIV2K validation images; Table 1: all 100)',
  patch: '96x96 RGB patches cropped from the HR images',
  batch: '16',
  optimizer: 'Adam (beta1 0.9, beta2 0.999, eps 1e-8)',
  lr: '1e-3 with weight norm, 1e-4 without',
  schedule: 'halved every 2x10^5 iterations (total not stated)',
  metric: 'PSNR on RGB',
} as const;
