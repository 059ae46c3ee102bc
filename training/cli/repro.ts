import { resolve } from 'node:path';
import { resolveRepoPath } from '../config/load';
import { ProgressLine } from '../loop/progress';
import { ablationExperiments, loadAblationSuite } from '../repro/ablation';
import { PAGE_DEFAULTS, parseReproArgs, REPRO_USAGE } from '../repro/args';
import type { ReproExperiment } from '../repro/experiment';
import { writeReport } from '../repro/report';
import { writeAblationReport } from '../repro/report-ablation';
import { recordRootFor } from '../repro/report-files';
import { runSuite } from '../repro/runner';
import { BASE_CONFIG_PATH, loadReproBase, PAPER_SUITES, REPORT_EVAL_DIRS, suiteExperiments } from '../repro/suites';
import { runCli } from './run-cli';
import { abortOnStopSignals } from './stop-signals';
import { trainingHooks } from './training-hooks';

/**
 * `npm run repro -- <table1|fig3|all|ablation|report [ablation]> [--run-root DIR] [--report FILE] [--iterations N] [--arm ARM]...`:
 * trains the paper-reproduction suites or the fixed-budget ablation (resumable; SIGINT/SIGTERM
 * stop after a checkpoint), records each finished or diverged run beside its page (under
 * docs/reproduction/runs/ or docs/ablation/runs/, to be committed) and writes the page,
 * docs/reproduction.md or docs/ablation.md, with its plots. Exit 130 when stopped, 2 on a bad command line.
 */
async function main(argv: string[]): Promise<number> {
  const output = new ProgressLine(process.stderr);
  const args = parseReproArgs(argv);
  const defaults = PAGE_DEFAULTS[args.page];
  // Defaults are the repository's folders; paths given on the command line are the user's, relative to where they are.
  const runRoot = args.runRoot === undefined ? resolveRepoPath(defaults.runRoot) : resolve(args.runRoot);
  const reportFile = args.reportFile === undefined ? resolveRepoPath(defaults.reportFile) : resolve(args.reportFile);
  const roots = { runRoot, recordRoot: recordRootFor(reportFile) };
  const page =
    args.page === 'ablation'
      ? await ablationPage(args.iterations, args.arms)
      : await reproductionPage(
          args.iterations,
          args.command === 'all' || args.command === 'report' ? PAPER_SUITES : [args.command as (typeof PAPER_SUITES)[number]],
        );
  if (args.command !== 'report') {
    const signal = abortOnStopSignals('stopping the current run after this iteration, with a checkpoint; the same command resumes it (again to quit at once)');
    await runSuite({ ...roots, experiments: page.experiments, evalDirs: REPORT_EVAL_DIRS, hooks: trainingHooks, signal, console: output });
    if (signal.aborted) {
      output.print(`stopped; the report is not rewritten. Run the same command to resume, and commit ${roots.recordRoot}: it holds every run finished so far.`);
      return 130;
    }
  }
  const { plots } = await page.write({ ...roots, reportFile, evalDirs: REPORT_EVAL_DIRS, onProgress: (message) => output.print(message) });
  output.print(`wrote ${reportFile} and ${plots.length} plot(s)`);
  return 0;
}

interface PageWriterOptions {
  readonly runRoot: string;
  readonly recordRoot: string;
  readonly reportFile: string;
  readonly evalDirs: readonly string[];
  readonly onProgress: (message: string) => void;
}

/** A page's experiments to train, and how to write the page. */
interface Page {
  readonly experiments: readonly ReproExperiment[];
  readonly write: (options: PageWriterOptions) => Promise<{ plots: string[] }>;
}

async function reproductionPage(iterations: number | undefined, suites: readonly (typeof PAPER_SUITES)[number][]): Promise<Page> {
  const base = await loadReproBase(BASE_CONFIG_PATH, iterations);
  return { experiments: suites.flatMap((suite) => suiteExperiments(suite, base)), write: (options) => writeReport({ ...options, base }) };
}

async function ablationPage(iterations: number | undefined, arms: Parameters<typeof ablationExperiments>[1]): Promise<Page> {
  const suite = await loadAblationSuite(iterations);
  return { experiments: ablationExperiments(suite, arms), write: (options) => writeAblationReport({ ...options, suite }) };
}

runCli(import.meta.url, main, REPRO_USAGE);
