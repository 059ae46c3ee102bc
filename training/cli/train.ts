import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExperimentConfig } from '../config/experiment';
import { assertDataDirectories, loadExperimentConfig } from '../config/load';
import { withTrainOverrides } from '../config/override';
import { ConfigError } from '../config/validate';
import { TeacherError } from '../distill/teacher-error';
import { defaultRunDir, readRunConfig, RunDirectoryError } from '../loop/run-dir';
import { parseTrainArgs, TRAIN_USAGE, type TrainArgs } from '../loop/train-args';
import { UsageError } from './usage';
import { train } from '../loop/trainer';
import { abortOnStopSignals } from './stop-signals';

/**
 * `npm run train -- --config training/configs/smoke.json [--run-dir DIR] [--resume | --warm-start WEIGHTS]`.
 * SIGINT/SIGTERM stop after the current iteration with a checkpoint (a second one quits
 * at once); `--resume` continues from the newest checkpoint in the run directory.
 * `--backend` and `--workers` override the config's `train.backend` and `train.workers`.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseTrainArgs(argv);
    const config = await resolveConfig(args);
    const runDir = args.runDir === undefined ? defaultRunDir(config) : resolve(args.runDir);
    const signal = abortOnStopSignals('stopping after this iteration and saving a checkpoint (again to quit at once)');
    const warmStart = args.warmStart === undefined ? {} : { warmStart: resolve(args.warmStart) };
    const result = await train({ config, runDir, resume: args.resume, signal, ...warmStart });
    return result.interrupted ? 130 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${TRAIN_USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof RunDirectoryError || error instanceof TeacherError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function resolveConfig(args: TrainArgs): Promise<ExperimentConfig> {
  let config: ExperimentConfig;
  if (args.config !== undefined) {
    config = await loadExperimentConfig(args.config);
  } else {
    config = await readRunConfig(resolve(args.runDir!));
    await assertDataDirectories(config, args.runDir!);
  }
  return withTrainOverrides(config, { backend: args.backend, workers: args.workers }, 'the command line');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
