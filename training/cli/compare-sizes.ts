import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readManifest } from '../onnx/manifest';
import { formatSizeComparison } from '../reports/size-comparison';
import { compareSizes, staticInt8Settings } from '../reports/size-measurement';
import { parseCommandLine, UsageError } from '../config/command-line';
import { withRepoRelativePaths } from '../config/load';
import { runCli } from './run-cli';

const USAGE = `usage: npm run compare:sizes -- --run <run dir> [--run <run dir> ...] [--out model/size-comparison.json]
Exports each run's newest checkpoint int8 as the served model was (model/manifest.json), scores it on Set5 and B100,
times it in workerd (wrangler dev), applies the budget rule, and writes the JSON and its plot (the same name, .svg).
workerd gets this command's autogroup priority; on the shared machine, time as npm run bench is timed (docs/benchmarks.md):
  setsid bash -c 'echo -10 > /proc/self/autogroup; exec npm run compare:sizes -- --run ...'`;

/**
 * `npm run compare:sizes`: issue #5's size comparison (training/reports/size-measurement.ts) as
 * model/size-comparison.json and .svg; prints the Markdown section report:model can include.
 */
async function main(argv: string[]): Promise<undefined> {
  const { values } = parseCommandLine({
    args: argv,
    strict: true,
    options: {
      run: { type: 'string', multiple: true },
      out: { type: 'string', default: 'model/size-comparison.json' },
    },
  });
  if (!values.run?.length) throw new UsageError('give at least one --run <run dir>');
  if (!values.out.endsWith('.json')) throw new UsageError(`--out must name a .json file, got ${values.out}`);
  const comparison = await compareSizes({
    runs: values.run,
    int8: staticInt8Settings(await readManifest('model')),
    command: `npm run compare:sizes -- ${withRepoRelativePaths(argv).join(' ')}`,
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  const svgPath = values.out.replace(/\.json$/, '.svg');
  const { markdown, svg } = formatSizeComparison(comparison);
  await mkdir(dirname(values.out), { recursive: true });
  // Committed: run paths relative to the repository root, whatever machine measured them.
  await writeFile(values.out, `${JSON.stringify(withRepoRelativePaths(comparison), null, 2)}\n`);
  await writeFile(svgPath, svg);
  process.stdout.write(`wrote ${values.out} and ${svgPath}\n\n${markdown}`);
}

runCli(import.meta.url, main, USAGE);
