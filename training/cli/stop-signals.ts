/**
 * A signal that SIGINT and SIGTERM abort, for long jobs that stop cleanly between steps:
 * the first one prints `message` and aborts (the job finishes its step and checkpoints),
 * a second one quits at once with exit code 130.
 *
 * @example
 * const signal = abortOnStopSignals('stopping after this iteration and saving a checkpoint (again to quit at once)');
 * await train({ config, runDir, resume: false, signal });
 */
export function abortOnStopSignals(message: string): AbortSignal {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${signal}: ${message}\n`);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return controller.signal;
}
