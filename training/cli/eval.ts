import { EVAL_USAGE, parseEvalArgs } from '../eval/args';
import { UsageError } from './usage';
import { loadModelUpscaler } from '../eval/model-upscaler';
import { formatReportTable } from '../eval/report';
import { evaluateSets } from '../eval/sets';

/**
 * `npm run eval -- --scale 2 --data <HR dir> [--data ...] --model <bicubic | http://service | .onnx | checkpoint or run dir> [--json]`
 * prints per-set Y-PSNR / Y-SSIM of the model and of bicubic (protocol: training/eval/evaluate.ts).
 * Progress goes to stderr so `--json` output stays parseable.
 */
async function main(argv: string[]): Promise<void> {
  const args = parseEvalArgs(argv);
  const upscaler = args.model === 'bicubic' ? undefined : await loadModelUpscaler(args.model, args.scale);
  const report = await evaluateSets(args.dataDirs, args.scale, args.model, upscaler, ({ dir, method, result, seconds }) => {
    process.stderr.write(`${result.set} (${dir}), ${method}: ${result.images.length} images in ${seconds.toFixed(1)} s\n`);
  });
  process.stdout.write(`${args.json ? JSON.stringify(report, null, 2) : formatReportTable(report)}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n${EVAL_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
