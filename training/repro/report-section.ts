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
