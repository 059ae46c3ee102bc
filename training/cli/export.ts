import { exportRun } from '../export/run-export';
import { calibrationFlag, parseCommandLine, positiveIntegerFlag, UsageError } from '../config/command-line';
import { EXPORT_RUN_OPTIONS, exportRunFlags } from './export-flags';
import { runCli } from './run-cli';

const USAGE = `usage: npm run export -- --run <run dir | checkpoint dir> [--int8 | --int8-weights] [--reference] [--model-dir model]
  [--calibration minmax | percentile:<p>] [--calibration-patches 64] [--float-convs tail,skip] [--eval <HR dir> ...]
Without a precision flag the fp32 reference is exported; --int8 (static: int8 weights and uint8 activations, QLinearConv)
and --int8-weights (int8 weights, float activations and arithmetic) export the served model of the scale, or with
--reference a model listed under references (compared by the benchmarks, not served).
A quantization-aware run (a config with "quantization") exports --int8 with the ranges and float convs it trained with;
the calibration options apply to --int8 exports of other runs only; --float-convs to both precisions.`;

async function main(argv: string[]): Promise<undefined> {
  const { values } = parseCommandLine({
    args: argv,
    strict: true,
    options: {
      ...EXPORT_RUN_OPTIONS,
      int8: { type: 'boolean', default: false },
      'int8-weights': { type: 'boolean', default: false },
      reference: { type: 'boolean', default: false },
      'model-dir': { type: 'string', default: 'model' },
      calibration: { type: 'string', default: 'percentile:99.999' },
      'calibration-patches': { type: 'string', default: '64' },
    },
  });
  const { run, floatConvs, evalDirs } = exportRunFlags(values);
  if (values.int8 && values['int8-weights']) throw new UsageError('--int8 and --int8-weights are two precisions: give one');
  const [calibration, ...more] = calibrationFlag('--calibration', values.calibration);
  if (calibration === undefined || more.length > 0) throw new UsageError(`--calibration takes one method, got ${values.calibration}`);
  const entry = await exportRun({
    run,
    precision: values.int8 ? 'int8' : values['int8-weights'] ? 'int8-weights' : 'fp32',
    reference: values.reference,
    modelDir: values['model-dir'],
    calibration,
    calibrationPatches: positiveIntegerFlag('--calibration-patches', values['calibration-patches'])!,
    floatConvs,
    evalDirs,
  });
  process.stdout.write(`${JSON.stringify({ id: entry.id, file: entry.file, bytes: entry.bytes, sha256: entry.sha256, metrics: entry.metrics }, null, 2)}\n`);
}

runCli(import.meta.url, main, USAGE);
