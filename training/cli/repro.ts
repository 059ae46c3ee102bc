import { resolve } from 'node:path';
import { resolveRepoPath } from '../config/load';
import { ProgressLine } from '../loop/progress';
import { DEFAULT_REPORT_FILE, DEFAULT_RUN_ROOT, parseReproArgs, REPRO_USAGE } from '../repro/args';
import { writeReport } from '../repro/report';
import { recordRootFor } from '../repro/report-files';
import { runSuite } from '../repro/runner';
import { BASE_CONFIG_PATH, loadReproBase, REPORT_EVAL_DIRS, SUITE_NAMES, suiteExperiments } from '../repro/suites';
import { runCli } from './run-cli';
import { abortOnStopSignals } from './stop-signals';
import { trainingHooks } from './training-hooks';

/**
 * `npm run repro -- <table1|fig3|all|report> [--run-root DIR] [--report FILE] [--iterations N]`:
 * trains the paper-reproduction suites (resumable; SIGINT/SIGTERM stop after a checkpoint),
 * records each finished or diverged run under docs/reproduction/runs/ (to be committed) and
 * writes docs/reproduction.md with its plots. Exit 130 when stopped, 2 on a bad command line.
 */
async function main(argv: string[]): Promise<number> {
  const output = new ProgressLine(process.stderr);
  const args = parseReproArgs(argv);
  const base = await loadReproBase(BASE_CONFIG_PATH, args.iterations);
  // Defaults are the repository's folders; paths given on the command line are the user's, relative to where they are.
  const runRoot = args.runRoot === undefined ? resolveRepoPath(DEFAULT_RUN_ROOT) : resolve(args.runRoot);
  const reportFile = args.reportFile === undefined ? resolveRepoPath(DEFAULT_REPORT_FILE) : resolve(args.reportFile);
  const roots = { runRoot, recordRoot: recordRootFor(reportFile) };
  if (args.command !== 'report') {
    const signal = abortOnStopSignals('stopping the current run after this iteration, with a checkpoint; the same command resumes it (again to quit at once)');
    const suites = args.command === 'all' ? SUITE_NAMES : [args.command];
    const experiments = suites.flatMap((suite) => suiteExperiments(suite, base));
    await runSuite({ ...roots, experiments, evalDirs: REPORT_EVAL_DIRS, hooks: trainingHooks, signal, console: output });
    if (signal.aborted) {
      output.print(`stopped; the report is not rewritten. Run the same command to resume, and commit ${roots.recordRoot}: it holds every run finished so far.`);
      return 130;
    }
  }
  const { plots } = await writeReport({ ...roots, base, reportFile, evalDirs: REPORT_EVAL_DIRS, onProgress: (message) => output.print(message) });
  output.print(`wrote ${reportFile} and ${plots.length} plot(s)`);
  return 0;
}

runCli(import.meta.url, main, REPRO_USAGE);
