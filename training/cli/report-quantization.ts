import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  calibrationVariants,
  FP32_VARIANT,
  formatPrecisionReport,
  INT8_WEIGHTS_VARIANT,
  measurePrecisionVariants,
  type PrecisionReportOptions,
  type PrecisionVariant,
} from '../reports/precision-report';
import { calibrationFlag, parseCommandLine } from '../config/command-line';
import { withRepoRelativePaths } from '../config/load';
import { EXPORT_RUN_OPTIONS, exportRunFlags } from './export-flags';
import { runCli } from './run-cli';

const USAGE = `usage: npm run report:quantization -- --run <run or checkpoint dir> [--out docs/quantization.md] [--eval <HR dir> ...]
  [--float-convs tail,skip] [--calibrations minmax,percentile:99.99,percentile:99.999] [--qat <quantization-aware run or checkpoint dir>]`;

/**
 * `npm run report:quantization`: one checkpoint as fp32, as int8 weights with float activations, and as post-training int8 with each
 * calibration method, plus, with `--qat`, the int8 export of a quantization-aware fine-tune of it;
 * all measured, written as Markdown.
 */
async function main(argv: string[]): Promise<undefined> {
  const { values } = parseCommandLine({
    args: argv,
    strict: true,
    options: {
      ...EXPORT_RUN_OPTIONS,
      out: { type: 'string', default: 'docs/quantization.md' },
      calibrations: { type: 'string', default: 'minmax,percentile:99.99,percentile:99.999' },
      qat: { type: 'string' },
    },
  });
  const { run, floatConvs, evalDirs } = exportRunFlags(values);
  const variants: PrecisionVariant[] = [FP32_VARIANT, INT8_WEIGHTS_VARIANT, ...calibrationVariants(calibrationFlag('--calibrations', values.calibrations))];
  if (values.qat) variants.push({ label: 'int8, quantization-aware fine-tune', precision: 'int8', calibration: { kind: 'minmax' }, run: values.qat });
  const workDir = await mkdtemp(join(tmpdir(), 'wdsr-edge-quant-'));
  try {
    const options: PrecisionReportOptions = {
      run,
      workDir,
      evalDirs,
      floatConvs,
      calibrationPatches: 64,
      timingSize: 256,
      repeats: 5,
    };
    const rows = await measurePrecisionVariants(options, variants);
    const command = `npm run report:quantization -- ${withRepoRelativePaths(argv).join(' ')}`;
    await writeFile(values.out, formatPrecisionReport(rows, options, command));
    process.stdout.write(`wrote ${values.out}\n`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

runCli(import.meta.url, main, USAGE);
