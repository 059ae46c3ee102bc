import { pathToFileURL } from 'node:url';
import { MissingCheckpointError } from '../checkpoint/load';
import { UsageError } from '../config/command-line';
import { ConfigError } from '../config/validate';
import { TeacherError } from '../distill/teacher-error';
import { RunDirectoryError } from '../loop/run-dir';

/** Errors that refuse a command as asked (a bad config, run directory, teacher or path): reported by message, exit 2. */
const REFUSALS = [ConfigError, RunDirectoryError, TeacherError, MissingCheckpointError];

/**
 * Runs a command's `main` on the process's arguments when the command's module (`moduleUrl`, its
 * `import.meta.url`) is the entry point, and never when it is imported, so tests import commands
 * freely. The exit code is what `main` returns (0 for nothing); a {@link UsageError} prints its
 * message and `usage` and exits 2, as the other refusals do without the usage; any other error
 * prints its stack and exits 1.
 *
 * @example
 * runCli(import.meta.url, main, USAGE);
 */
export function runCli(moduleUrl: string, main: (argv: string[]) => Promise<number | undefined>, usage: string): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      process.exitCode = reportFailure(error, usage);
    },
  );
}

function reportFailure(error: unknown, usage: string): number {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n${usage}\n`);
    return 2;
  }
  if (REFUSALS.some((refusal) => error instanceof refusal)) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
