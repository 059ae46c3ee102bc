import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { latestCheckpoint, loadCheckpoint } from '../../../training/checkpoint/load';
import { trainingHooks } from '../../../training/cli/training-hooks';
import type { ExperimentConfig } from '../../../training/config/experiment';
import { ProgressLine } from '../../../training/loop/progress';
import { RUN_LOG_FILE } from '../../../training/loop/run-dir';
import type { LogRecord } from '../../../training/loop/run-log';
import { train, type TrainResult } from '../../../training/loop/trainer';

/** Console output that prints nothing, for runs whose progress a test does not read. */
export const silent = new ProgressLine({ write: () => true });

/** Every record of a run's log, strictly: a missing log or a line that is not JSON fails the test. */
export async function readLog(runDir: string): Promise<LogRecord[]> {
  return (await readFile(join(runDir, RUN_LOG_FILE), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LogRecord);
}

/** The values of each weight in a run's newest checkpoint, by name. */
export async function finalWeights(runDir: string): Promise<Map<string, Float32Array>> {
  const { weights } = await loadCheckpoint((await latestCheckpoint(runDir))!);
  return new Map([...weights].map(([name, { data }]) => [name, data]));
}

/**
 * Trains `config` into the new run directory `runDir`, aborted (as SIGINT aborts `npm run train`)
 * once the training record of iteration `stopAt` is logged, then resumes it to its end.
 *
 * @example
 * const { interrupted, resumed } = await trainInterrupted(config, join(workDir, 'interrupted'), 1);
 * expect(await finalWeights(join(workDir, 'interrupted'))).toEqual(await finalWeights(straight));
 */
export async function trainInterrupted(
  config: ExperimentConfig,
  runDir: string,
  stopAt: number,
): Promise<{ readonly interrupted: TrainResult; readonly resumed: TrainResult }> {
  const controller = new AbortController();
  const interrupted = await train({
    config,
    runDir,
    resume: false,
    hooks: trainingHooks,
    console: silent,
    signal: controller.signal,
    onRecord: (record) => record.type === 'train' && record.iteration === stopAt && controller.abort(),
  });
  const resumed = await train({ config, runDir, resume: true, hooks: trainingHooks, console: silent });
  return { interrupted, resumed };
}
