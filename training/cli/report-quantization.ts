import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCHMARK_SETS } from '../eval/sets';
import { formatPrecisionReport, measurePrecisionVariants, type PrecisionReportOptions } from '../export/precision-report';
import { parseCommandLine } from './usage';

/** `npm run report:quantization -- --run <run dir> [--out docs/quantization.md]`: fp32 vs int8 variants, measured. */
async function main(argv: string[]): Promise<void> {
  const { values } = parseCommandLine({
    args: argv,
    strict: true,
    options: {
      run: { type: 'string' },
      out: { type: 'string', default: 'docs/quantization.md' },
      eval: { type: 'string', multiple: true },
      'float-convs': { type: 'string', default: 'tail,skip' },
    },
  });
  if (!values.run) throw new Error('usage: npm run report:quantization -- --run <run dir> [--out docs/quantization.md] [--eval <HR dir> ...]');
  const workDir = await mkdtemp(join(tmpdir(), 'wdsr-edge-quant-'));
  try {
    const options: PrecisionReportOptions = {
      run: values.run,
      workDir,
      evalDirs: values.eval ?? [...BENCHMARK_SETS],
      floatConvs: values['float-convs'].split(',').filter(Boolean),
      calibrationPatches: 64,
      timingSize: 256,
      repeats: 5,
    };
    const rows = await measurePrecisionVariants(options);
    const command = `npm run report:quantization -- ${argv.join(' ')}`;
    await writeFile(values.out, formatPrecisionReport(rows, options, command));
    process.stdout.write(`wrote ${values.out}\n`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
