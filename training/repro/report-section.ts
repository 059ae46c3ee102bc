import { basename } from 'node:path';
import type { ExperimentConfig } from '../config/experiment';
import { setName } from '../metrics/evaluate';
import { bicubicEvaluation } from './final-eval';
import { reportFolder } from './report-files';
import type { ReportPlot } from './report-plots';

/** What every section of the reproduction report is drawn against. */
export interface ReportContext {
  /** Evaluation set names in report order (`Set5`, `B100`). */
  readonly sets: readonly string[];
  /** Bicubic's Y-PSNR per evaluation set. */
  readonly bicubic: ReadonlyMap<string, number>;
  /** Bicubic on the runs' validation set, the level drawn on validation curves. */
  readonly valBicubic: { readonly set: string; readonly psnr: number };
  /** Iterations of every run in the suite. */
  readonly iterations: number;
  /** The Markdown link to a plot file, relative to the report. */
  readonly plotLink: (file: string) => string;
}

/** A section's Markdown, the plots it links, and its one-line findings for the summary. */
export interface SectionResult {
  readonly markdown: string;
  readonly plots: readonly ReportPlot[];
  readonly findings: readonly string[];
}

/**
 * The context of a report's sections: bicubic scored on `evalDirs` (cached in `runRoot`, see
 * bicubicEvaluation), which must include the budget's validation set, and plot links into the
 * folder beside `reportFile`.
 */
export async function reportContext(options: {
  readonly base: ExperimentConfig;
  readonly runRoot: string;
  readonly reportFile: string;
  readonly evalDirs: readonly string[];
  readonly onProgress?: (message: string) => void;
}): Promise<ReportContext> {
  const { base, evalDirs } = options;
  options.onProgress?.('scoring bicubic (cached after the first time)');
  const bicubicReport = await bicubicEvaluation(options.runRoot, base.arch.scale, evalDirs);
  const bicubic = new Map(bicubicReport.sets.map((s) => [s.set, s.bicubic.psnr]));
  const valSet = setName(base.data.val);
  if (!bicubic.has(valSet)) throw new Error(`the validation set ${valSet} must be among the evaluation folders (${evalDirs.join(', ')})`);
  const plotFolder = basename(reportFolder(options.reportFile));
  return {
    sets: bicubicReport.sets.map((s) => s.set),
    bicubic,
    valBicubic: { set: valSet, psnr: bicubic.get(valSet)! },
    iterations: base.train.iterations,
    plotLink: (file) => `${plotFolder}/${file}`,
  };
}
