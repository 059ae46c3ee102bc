import { parseCommandLine, positiveIntegerFlag, UsageError } from '../config/command-line';
import { SUITE_NAMES, type SuiteName } from './suites';

/** What `npm run repro` was asked to do: train one suite or both, or only rewrite the report. */
export interface ReproArgs {
  readonly command: SuiteName | 'all' | 'report';
  /** As given (relative to the working directory); absent for the default. */
  readonly runRoot?: string;
  readonly reportFile?: string;
  /** Overrides the budget's iteration count (halvings and intervals scale with it). */
  readonly iterations?: number;
}

/** Defaults, relative to the repository root (runs/ is git-ignored). */
export const DEFAULT_RUN_ROOT = 'training/runs/repro';
export const DEFAULT_REPORT_FILE = 'docs/reproduction.md';

export const REPRO_USAGE = [
  'usage: npm run repro -- <table1|fig3|all|report> [--run-root <dir>] [--report <file.md>] [--iterations <n>]',
  `  table1, fig3, all: train the suite's runs (finished ones are skipped, interrupted ones resume), then write the report`,
  '  report:            write the report from the runs as they are (trains nothing)',
  `  --run-root   where runs train, with their checkpoints (default ${DEFAULT_RUN_ROOT})`,
  `  --report     the Markdown report; its SVG plots go to a folder of the same name, and finished runs' records to runs/ in it (default ${DEFAULT_REPORT_FILE})`,
  '  --iterations another budget, e.g. 20 for a quick end-to-end check (use another --run-root and --report)',
].join('\n');

/**
 * Parses the repro command line strictly: one command, known flags only, a positive integer for `--iterations`.
 *
 * @example
 * parseReproArgs(['table1', '--iterations', '20', '--run-root', 'training/runs/repro']);
 */
export function parseReproArgs(argv: string[]): ReproArgs {
  const parsed = parseCommandLine({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: { 'run-root': { type: 'string' }, report: { type: 'string' }, iterations: { type: 'string' } },
  });
  const { positionals, values } = parsed;
  const commands: readonly string[] = [...SUITE_NAMES, 'all', 'report'];
  if (positionals.length !== 1 || !commands.includes(positionals[0]!)) {
    throw new UsageError(`expected one command of ${commands.join(', ')}, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
  }
  const iterations = positiveIntegerFlag('--iterations', values.iterations);
  return {
    command: positionals[0] as ReproArgs['command'],
    ...(values['run-root'] === undefined ? {} : { runRoot: values['run-root'] }),
    ...(values.report === undefined ? {} : { reportFile: values.report }),
    ...(iterations === undefined ? {} : { iterations }),
  };
}
