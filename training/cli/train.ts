import { resolve } from 'node:path';
import type { ExperimentConfig } from '../config/experiment';
import { assertDataDirectories, loadExperimentConfig } from '../config/load';
import { withTrainOverrides } from '../config/override';
import { defaultRunDir, readRunConfig } from '../loop/run-dir';
import { parseTrainArgs, TRAIN_USAGE, type TrainArgs } from '../loop/train-args';
import { train } from '../loop/trainer';
import { runCli } from './run-cli';
import { abortOnStopSignals } from './stop-signals';
import { trainingHooks } from './training-hooks';

/**
 * `npm run train -- --config training/configs/smoke.json [--run-dir DIR] [--resume]`.
 * SIGINT/SIGTERM stop after the current iteration with a checkpoint (a second one quits
 * at once); `--resume` continues from the newest checkpoint in the run directory. A new run
 * starts from the trained weights its config pins (`warmStart`, `initFrom`, `quantization.from`), if any.
 * `--backend` and `--workers` override the config's `train.backend` and `train.workers`.
 */
async function main(argv: string[]): Promise<number> {
  const args = parseTrainArgs(argv);
  const config = await resolveConfig(args);
  const runDir = args.runDir === undefined ? defaultRunDir(config) : resolve(args.runDir);
  const signal = abortOnStopSignals('stopping after this iteration and saving a checkpoint (again to quit at once)');
  const result = await train({ config, runDir, resume: args.resume, signal, hooks: trainingHooks });
  return result.interrupted ? 130 : 0;
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

runCli(import.meta.url, main, TRAIN_USAGE);
