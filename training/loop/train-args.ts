import { parseCommandLine, positiveIntegerFlag, UsageError } from '../config/command-line';
import { BACKEND_NAMES, type BackendName } from '../backend/init';

/** What `npm run train` was asked to do. */
export interface TrainArgs {
  readonly config?: string;
  readonly runDir?: string;
  readonly resume: boolean;
  readonly backend?: BackendName;
  readonly workers?: number;
}

export const TRAIN_USAGE = [
  'usage: npm run train -- --config <experiment.json> [--run-dir <dir>] [--resume] [--backend wasm|cpu|tensorflow] [--workers <n>]',
  '       npm run train -- --resume --run-dir <dir>        (continue a run with the config stored in it)',
  'A new run starts from trained weights, at their iteration with Adam re-estimated, when its config pins them:',
  '  "warmStart": { "file": "<model/<id>-fp32.onnx or <run>/checkpoints/<iteration>/weights.bin>", "sha256": "<sha256sum of it>" }',
].join('\n');

/**
 * Parses the train command line strictly (unknown flags are errors).
 *
 * @example
 * parseTrainArgs(['--config', 'training/configs/smoke.json', '--resume']);
 */
export function parseTrainArgs(argv: string[]): TrainArgs {
  const { values } = parseCommandLine({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      'run-dir': { type: 'string' },
      resume: { type: 'boolean', default: false },
      backend: { type: 'string' },
      workers: { type: 'string' },
    },
  });
  const backend = values.backend;
  if (backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got ${backend}`);
  }
  const workers = positiveIntegerFlag('--workers', values.workers);
  const resume = values.resume ?? false;
  if (values.config === undefined && !(resume && values['run-dir'] !== undefined)) {
    throw new UsageError('give --config <experiment.json>, or --resume with --run-dir <dir>');
  }
  return {
    resume,
    ...(values.config === undefined ? {} : { config: values.config }),
    ...(values['run-dir'] === undefined ? {} : { runDir: values['run-dir'] }),
    ...(backend === undefined ? {} : { backend: backend as BackendName }),
    ...(workers === undefined ? {} : { workers }),
  };
}
