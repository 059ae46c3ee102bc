import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line that cannot be run as given; each CLI prints it with its usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * `node:util` parseArgs whose complaints (unknown flag, missing value) become {@link UsageError}s,
 * so every CLI reports a bad command line the same way.
 *
 * @example
 * const { values } = parseCommandLine({ args: argv, strict: true, options: { scale: { type: 'string' } } });
 */
export function parseCommandLine<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
