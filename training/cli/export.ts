import { BENCHMARK_SETS } from '../eval/sets';
import { exportRun } from '../export/run-export';
import { calibrationFlag, parseCommandLine, positiveIntegerFlag, UsageError } from './usage';

const USAGE = `usage: npm run export -- --run <run dir | checkpoint dir> [--int8] [--id <model id>] [--model-dir model]
  [--calibration minmax | percentile:<p>] [--calibration-patches 64] [--float-convs tail,skip] [--eval <HR dir> ...]
A quantization-aware run (a config with "quantization") exports int8 with the ranges and float convs it trained with;
the calibration options apply to other runs only.`;

async function main(argv: string[]): Promise<void> {
  const { values } = parseCommandLine({
    args: argv,
    strict: true,
    options: {
      run: { type: 'string' },
      int8: { type: 'boolean', default: false },
      id: { type: 'string' },
      'model-dir': { type: 'string', default: 'model' },
      calibration: { type: 'string', default: 'percentile:99.999' },
      'calibration-patches': { type: 'string', default: '64' },
      'float-convs': { type: 'string', default: 'tail,skip' },
      eval: { type: 'string', multiple: true },
    },
  });
  if (!values.run) throw new Error('--run is required');
  const [calibration, ...more] = calibrationFlag('--calibration', values.calibration);
  if (calibration === undefined || more.length > 0) throw new UsageError(`--calibration takes one method, got ${values.calibration}`);
  const entry = await exportRun({
    run: values.run,
    int8: values.int8,
    ...(values.id ? { id: values.id } : {}),
    modelDir: values['model-dir'],
    calibration,
    calibrationPatches: positiveIntegerFlag('--calibration-patches', values['calibration-patches'])!,
    floatConvs: values['float-convs'].split(',').filter(Boolean),
    evalDirs: values.eval ?? [...BENCHMARK_SETS],
  });
  process.stdout.write(`${JSON.stringify({ id: entry.id, file: entry.file, bytes: entry.bytes, sha256: entry.sha256, metrics: entry.metrics }, null, 2)}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exitCode = 1;
});
