import { bicubicUpscaler } from '../eval/bicubic';
import { EVAL_USAGE, parseEvalArgs, UsageError } from '../eval/args';
import { evaluateDirectory, type SetResult } from '../eval/evaluate';
import { loadModelUpscaler } from '../eval/model-upscaler';
import { formatReportTable, type EvalReport, type SetReport } from '../eval/report';

/**
 * `npm run eval -- --scale 2 --data <HR dir> [--data ...] --model <bicubic | .onnx | checkpoint or run dir> [--json]`
 * prints per-set Y-PSNR / Y-SSIM of the model and of bicubic (protocol: training/eval/evaluate.ts).
 * Progress goes to stderr so `--json` output stays parseable.
 */
async function main(argv: string[]): Promise<void> {
  const args = parseEvalArgs(argv);
  const bicubic = bicubicUpscaler(args.scale);
  const model = args.model === 'bicubic' ? undefined : await loadModelUpscaler(args.model, args.scale);
  const sets: SetReport[] = [];
  for (const dir of args.dataDirs) {
    const bicubicResult = await timed(dir, 'bicubic', () => evaluateDirectory(dir, args.scale, bicubic));
    const modelResult = model ? await timed(dir, args.model, () => evaluateDirectory(dir, args.scale, model)) : undefined;
    sets.push({ set: bicubicResult.set, bicubic: bicubicResult, ...(modelResult ? { model: modelResult } : {}) });
  }
  const report: EvalReport = { scale: args.scale, model: args.model, sets };
  process.stdout.write(`${args.json ? JSON.stringify(report, null, 2) : formatReportTable(report)}\n`);
}

async function timed(dir: string, label: string, run: () => Promise<SetResult>): Promise<SetResult> {
  const start = performance.now();
  const result = await run();
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  process.stderr.write(`${result.set} (${dir}), ${label}: ${result.images.length} images in ${seconds} s\n`);
  return result;
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
