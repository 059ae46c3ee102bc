import { parseCommandLine, positiveIntegerFlag, UsageError } from '../config/command-line';
import { ABLATION_ARMS, type AblationArm } from './ablation';
import { SUITE_NAMES, type SuiteName } from './suites';

/** The pages `npm run repro` writes: the paper reproduction (Table 1 and Figure 3), and the fixed-budget ablation (issue #20). */
const REPORT_PAGES = ['reproduction', 'ablation'] as const;
export type ReportPage = (typeof REPORT_PAGES)[number];

/** What `npm run repro` was asked to do: train a suite (or both paper suites), or only rewrite a page. */
export interface ReproArgs {
  readonly command: SuiteName | 'all' | 'report';
  /** The page the command writes: `ablation` for the ablation suite and `report ablation`, else the reproduction. */
  readonly page: ReportPage;
  /** As given (relative to the working directory); absent for the page's default. */
  readonly runRoot?: string;
  readonly reportFile?: string;
  /** Overrides the budget's iteration count (halvings and intervals scale with it). */
  readonly iterations?: number;
  /** The ablation arms to train (`--arm`, repeatable); absent: all of them. */
  readonly arms?: readonly AblationArm[];
}

/** Each page's run root and Markdown file unless told otherwise, relative to the repository root (runs/ is git-ignored). */
export const PAGE_DEFAULTS: Readonly<Record<ReportPage, { readonly runRoot: string; readonly reportFile: string }>> = {
  reproduction: { runRoot: 'training/runs/repro', reportFile: 'docs/reproduction.md' },
  ablation: { runRoot: 'training/runs/ablation', reportFile: 'docs/ablation.md' },
};

export const REPRO_USAGE = [
  'usage: npm run repro -- <table1|fig3|all|ablation> [--run-root <dir>] [--report <file.md>] [--iterations <n>] [--arm <arm>]...',
  '       npm run repro -- report [reproduction|ablation] [--run-root <dir>] [--report <file.md>] [--iterations <n>]',
  `  table1, fig3, all: train the paper suites' runs (finished ones are skipped, interrupted ones resume), then write ${PAGE_DEFAULTS.reproduction.reportFile}`,
  `  ablation:          the same for the fixed-budget ablation of issue #20, written to ${PAGE_DEFAULTS.ablation.reportFile}`,
  '  report:            write a page from the runs as they are (trains nothing); the reproduction unless `ablation` follows',
  `  --run-root   where runs train, with their checkpoints (default ${PAGE_DEFAULTS.reproduction.runRoot}, or ${PAGE_DEFAULTS.ablation.runRoot} for the ablation)`,
  `  --report     the Markdown page; its SVG plots go to a folder of the same name, and finished runs' records to runs/ in it (default as above)`,
  '  --iterations another budget (the ablation: 1,000 iterations per arm unless given), e.g. 20 for a quick end-to-end check (use another --run-root and --report)',
  `  --arm        ablation only: train just this arm (${ABLATION_ARMS.join(', ')}); repeat for several`,
].join('\n');

/**
 * Parses the repro command line strictly: one command (`report` optionally followed by its
 * page), known flags only, a positive integer for `--iterations`, known arms for `--arm`.
 *
 * @example
 * parseReproArgs(['table1', '--iterations', '20', '--run-root', 'training/runs/repro']);
 * parseReproArgs(['ablation', '--arm', 'cosine', '--run-root', '../runs/ablation']);
 */
export function parseReproArgs(argv: string[]): ReproArgs {
  const parsed = parseCommandLine({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      'run-root': { type: 'string' },
      report: { type: 'string' },
      iterations: { type: 'string' },
      arm: { type: 'string', multiple: true },
    },
  });
  const { positionals, values } = parsed;
  const commands: readonly string[] = [...SUITE_NAMES, 'all', 'report'];
  const [command, page] = positionals;
  const pageAllowed = command === 'report' && positionals.length === 2;
  if (command === undefined || !commands.includes(command) || (positionals.length > 1 && !pageAllowed)) {
    throw new UsageError(`expected one command of ${commands.join(', ')}, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
  }
  if (page !== undefined && !(REPORT_PAGES as readonly string[]).includes(page)) {
    throw new UsageError(`report writes one page of ${REPORT_PAGES.join(', ')}, got ${page}`);
  }
  const arms = values.arm;
  if (arms !== undefined && command !== 'ablation') throw new UsageError(`--arm selects arms of the ablation suite, not of ${command}`);
  const unknown = arms?.filter((arm) => !(ABLATION_ARMS as readonly string[]).includes(arm)) ?? [];
  if (unknown.length > 0) throw new UsageError(`--arm: expected one of ${ABLATION_ARMS.join(', ')}, got ${unknown.join(', ')}`);
  const iterations = positiveIntegerFlag('--iterations', values.iterations);
  return {
    command: command as ReproArgs['command'],
    page: command === 'ablation' || page === 'ablation' ? 'ablation' : 'reproduction',
    ...(values['run-root'] === undefined ? {} : { runRoot: values['run-root'] }),
    ...(values.report === undefined ? {} : { reportFile: values.report }),
    ...(iterations === undefined ? {} : { iterations }),
    ...(arms === undefined ? {} : { arms: arms as AblationArm[] }),
  };
}
