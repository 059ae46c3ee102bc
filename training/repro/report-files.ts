import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { repoRelativePath } from '../config/load';
import type { ReportPlot } from './report-plots';

/** The folder beside a report that holds what belongs to it: `docs/reproduction/` for `docs/reproduction.md`. */
export function reportFolder(reportFile: string): string {
  return join(dirname(reportFile), basename(reportFile, extname(reportFile)));
}

/**
 * Where the records of a report's finished and diverged runs are committed (see
 * persistRun): `runs/` in the report's folder, next to its plots, so a quick check written
 * to another report keeps its records away from the real ones.
 *
 * @example
 * recordRootFor('docs/reproduction.md'); // 'docs/reproduction/runs'
 */
export function recordRootFor(reportFile: string): string {
  return join(reportFolder(reportFile), 'runs');
}

/** A path as a report shows it: relative to the repository root, so a committed report names no machine's folders. */
export function displayPath(path: string): string {
  return repoRelativePath(resolve(path));
}

/**
 * Writes a report page and its plots, the plots into the folder beside it (see reportFolder),
 * from which plots an earlier version drew and this one does not are removed. Returns the
 * plots' paths.
 */
export async function writeReportPage(reportFile: string, markdown: string, plots: readonly ReportPlot[]): Promise<string[]> {
  const plotDir = reportFolder(reportFile);
  await mkdir(plotDir, { recursive: true });
  // Plots of curves that no longer exist (another run root) must not linger beside the report.
  for (const file of await readdir(plotDir)) {
    if (file.endsWith('.svg') && !plots.some((p) => p.file === file)) await rm(join(plotDir, file));
  }
  for (const plot of plots) await writeFile(join(plotDir, plot.file), plot.svg);
  await writeFile(reportFile, `${markdown}\n`);
  return plots.map((p) => join(plotDir, p.file));
}
