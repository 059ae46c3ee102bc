import type { EvalReport } from '../../../training/eval/report';
import type { ReportContext } from '../../../training/repro/report-section';

/** Bicubic's PSNR on the two sets of the fake reports: the values the tests' expected tables are written with. */
const BICUBIC = { Set5: 33.67, B100: 29.56 } as const;

/**
 * The report context of the repro pages' tests: Set5 and B100 with bicubic at {@link BICUBIC},
 * Set5 validation, a budget of `iterations`, plots linked under `plotDir/`.
 */
export function reportContext(iterations: number, plotDir: string): ReportContext {
  return {
    sets: ['Set5', 'B100'],
    bicubic: new Map(Object.entries(BICUBIC)),
    valBicubic: { set: 'Set5', psnr: BICUBIC.Set5 },
    iterations,
    plotLink: (file) => `${plotDir}/${file}`,
  };
}

/**
 * A final evaluation as evaluateSets reports it: the model at `set5` dB on Set5 and `b100Below` dB
 * lower on B100, bicubic at {@link BICUBIC}, SSIM 0.9 throughout.
 */
export function fakeScores(set5: number, b100Below: number): EvalReport {
  const result = (set: string, psnr: number) => ({ set, psnr, ssim: 0.9, images: [] });
  return {
    scale: 2,
    model: 'run',
    sets: [
      { set: 'Set5', bicubic: result('Set5', BICUBIC.Set5), model: result('Set5', set5) },
      { set: 'B100', bicubic: result('B100', BICUBIC.B100), model: result('B100', set5 - b100Below) },
    ],
  };
}
