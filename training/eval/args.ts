import { parseCommandLine, UsageError } from '../config/command-line';

/** What `npm run eval` was asked to do. */
export interface EvalArgs {
  readonly scale: number;
  readonly dataDirs: string[];
  /** `bicubic`, the service's URL, a `.onnx` file, or a checkpoint / run directory. */
  readonly model: string;
  readonly json: boolean;
  /** Averages the model's outputs over the 8 flips/rotations (`selfEnsemble`): 8 inferences per image, measured, never served. */
  readonly selfEnsemble: boolean;
}

export const EVAL_USAGE =
  'usage: npm run eval -- --scale <2|3|4> --data <HR dir> [--data <HR dir> ...] --model <bicubic | http://service | model.onnx | checkpoint or run dir> [--self-ensemble] [--json]';

/**
 * Parses the eval command line strictly: unknown flags, a missing `--data`/`--model` or a scale
 * that is not 2, 3 or 4 are errors, never defaults.
 *
 * @example
 * parseEvalArgs(['--scale', '2', '--data', 'Set5/HR', '--model', 'bicubic']); // { scale: 2, dataDirs: ['Set5/HR'], ... }
 */
export function parseEvalArgs(argv: string[]): EvalArgs {
  const { values } = parseCommandLine({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      scale: { type: 'string' },
      data: { type: 'string', multiple: true },
      model: { type: 'string' },
      json: { type: 'boolean', default: false },
      'self-ensemble': { type: 'boolean', default: false },
    },
  });
  const scale = Number(values.scale);
  if (![2, 3, 4].includes(scale)) throw new UsageError(`--scale must be 2, 3 or 4, got ${values.scale ?? 'nothing'}`);
  if (!values.data?.length) throw new UsageError('give at least one --data <HR dir>');
  if (!values.model) throw new UsageError('--model is required (bicubic, the service URL, a .onnx file, or a checkpoint directory)');
  const selfEnsemble = values['self-ensemble'] ?? false;
  if (selfEnsemble && values.model === 'bicubic') throw new UsageError('--self-ensemble needs a model: bicubic is the same under every flip');
  return { scale, dataDirs: values.data, model: values.model, json: values.json ?? false, selfEnsemble };
}
