import { basename, dirname, extname, join } from 'node:path';

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
