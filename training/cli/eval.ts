import { EVAL_USAGE, parseEvalArgs } from '../eval/args';
import { loadModelUpscaler } from '../eval/model-upscaler';
import { formatReportTable } from '../eval/report';
import { selfEnsemble } from '../eval/self-ensemble';
import { evaluateSets } from '../eval/sets';
import { runCli } from './run-cli';

/**
 * `npm run eval -- --scale 2 --data <HR dir> [--data ...] --model <bicubic | http://service | .onnx | checkpoint or run dir> [--json]`
 * prints per-set Y-PSNR / Y-SSIM of the model and of bicubic (protocol: training/metrics/evaluate.ts).
 * Progress goes to stderr so `--json` output stays parseable.
 */
async function main(argv: string[]): Promise<undefined> {
  const args = parseEvalArgs(argv);
  const model = args.model === 'bicubic' ? undefined : await loadModelUpscaler(args.model, args.scale);
  const upscaler = model !== undefined && args.selfEnsemble ? selfEnsemble(model) : model;
  const method = args.selfEnsemble ? `${args.model} (self-ensemble x8)` : args.model;
  const report = await evaluateSets(args.dataDirs, args.scale, method, upscaler, ({ dir, method, result, seconds }) => {
    process.stderr.write(`${result.set} (${dir}), ${method}: ${result.images.length} images in ${seconds.toFixed(1)} s\n`);
  });
  process.stdout.write(`${args.json ? JSON.stringify(report, null, 2) : formatReportTable(report)}\n`);
}

runCli(import.meta.url, main, EVAL_USAGE);
