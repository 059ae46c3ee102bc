import { BENCHMARK_SETS } from '../eval/sets';
import { parseCalibrationMethod, type CalibrationMethod } from '../export/calibration-method';
import { exportRun } from '../export/run-export';
import { parseCommandLine } from './usage';

const USAGE = `usage: npm run export -- --run <run dir | checkpoint dir> [--int8] [--id <model id>] [--model-dir model]
  [--calibration minmax | percentile:<p>] [--calibration-patches 64] [--float-convs tail,skip] [--eval <HR dir> ...]
A quantization-aware run (a config with "quantization") exports int8 with the ranges and float convs it trained with;
the calibration options apply to other runs only.`;

function parseCalibration(text: string): CalibrationMethod {
  const method = parseCalibrationMethod(text);
  if (method === undefined) throw new Error(`--calibration must be minmax or percentile:<50..100>, got ${text}`);
  return method;
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer, got ${text}`);
  return value;
}

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
  const entry = await exportRun({
    run: values.run,
    int8: values.int8,
    ...(values.id ? { id: values.id } : {}),
    modelDir: values['model-dir'],
    calibration: parseCalibration(values.calibration),
    calibrationPatches: positiveInteger(values['calibration-patches'], '--calibration-patches'),
    floatConvs: values['float-convs'].split(',').filter(Boolean),
    evalDirs: values.eval ?? [...BENCHMARK_SETS],
  });
  process.stdout.write(`${JSON.stringify({ id: entry.id, file: entry.file, bytes: entry.bytes, sha256: entry.sha256, metrics: entry.metrics }, null, 2)}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exitCode = 1;
});
