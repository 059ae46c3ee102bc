import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAMES, initBackend, type BackendName } from '../backend/init';
import { parseCommandLine, positiveIntegerFlag, UsageError } from '../config/command-line';
import { validateExperimentConfig } from '../config/validate';
import { benchmarkConfig, benchmarkTraining, DEFAULT_BENCHMARK, type BenchmarkOptions, type BenchmarkResult } from '../reports/training-benchmark';
import type { KernelTime } from '../reports/training-profile';
import { runCli } from './run-cli';
import { trainingHooks } from './training-hooks';

const USAGE =
  'usage: npm run bench:train -- [--backend wasm|cpu|tensorflow] [--workers N (default 2; 1 on tensorflow)] [--iterations N] [--warmup N] [--profile] [--config <experiment.json>]';

/**
 * `npm run bench:train`: training iterations per second of WDSR-B x2 f32b8, batch 16,
 * LR 48x48, on the default backend with 2 gradient workers (this machine's 2 cores; the
 * tensorflow backend threads itself, so 1 there); the last line is `<number> it/s`.
 * `--profile` adds a per-kernel breakdown of one single-thread step (forward, backward, optimizer).
 * `--config` trains that experiment's network instead (its `arch`, with any `reparam`, and its
 * distillation teacher), on the same batches, patches and data.
 */
async function main(argv: string[]): Promise<number> {
  const { values } = parseCommandLine({
    args: argv,
    strict: true,
    options: {
      backend: { type: 'string', default: 'wasm' },
      iterations: { type: 'string', default: String(DEFAULT_BENCHMARK.iterations) },
      warmup: { type: 'string', default: String(DEFAULT_BENCHMARK.warmup) },
      workers: { type: 'string' },
      profile: { type: 'boolean', default: false },
      config: { type: 'string' },
    },
  });
  const backend = values.backend as BackendName;
  if (!BACKEND_NAMES.includes(backend)) throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got ${values.backend}`);
  const iterations = positiveIntegerFlag('--iterations', values.iterations)!;
  const warmup = Number(values.warmup);
  if (!Number.isInteger(warmup) || warmup < 0) throw new UsageError(`--warmup must be a whole number, got ${values.warmup}`);
  const workers = values.workers === undefined ? (backend === 'tensorflow' ? 1 : DEFAULT_BENCHMARK.workers) : Number(values.workers);
  let options: BenchmarkOptions = { ...DEFAULT_BENCHMARK, iterations, warmup, workers, profile: values.profile ?? false };
  if (values.config !== undefined) {
    const experiment = validateExperimentConfig(JSON.parse(await readFile(values.config, 'utf8')), values.config);
    options = { ...options, arch: experiment.arch, ...(experiment.distill === undefined ? {} : { distill: experiment.distill }) };
  }
  benchmarkConfig(backend, options);
  await initBackend(backend);
  const a = options.arch;
  const reparam = a.arch === 'wdsr_b' && a.reparam !== undefined ? `, reparam ${JSON.stringify(a.reparam)}` : '';
  const distill = options.distill === undefined ? '' : `, distilling from ${options.distill.teacher}`;
  process.stdout.write(
    `${a.arch} x${a.scale} n_feats ${a.nFeats}, ${a.nBlocks} blocks${reparam}${distill}, batch ${options.batchSize}, LR ${options.lrPatchSize}x${options.lrPatchSize}, backend ${tf.getBackend()}, ${workers} worker(s); ${warmup} warm-up + ${iterations} timed iterations\n`,
  );
  const result = await benchmarkTraining(backend, options, trainingHooks);
  process.stdout.write(report(result));
  process.stdout.write(`${result.iterationsPerSecond.toFixed(3)} it/s\n`);
  return 0;
}

function report(result: BenchmarkResult): string {
  const { meanMs: m } = result;
  const lines = [
    `mean per iteration (main thread): ${m.iteration.toFixed(0)} ms = data ${m.data.toFixed(1)} + forward ${m.forward.toFixed(0)} + backward ${m.backward.toFixed(0)} + waiting for workers ${m.wait.toFixed(0)} + optimizer ${m.optimizer.toFixed(1)} (+ ${(m.iteration - m.data - m.forward - m.backward - m.wait - m.optimizer).toFixed(1)} other) ms`,
    `CPU time ${result.cpuMsPerIteration.toFixed(0)} ms per iteration (all threads) = ${(1000 / result.cpuMsPerIteration).toFixed(3)} it/s per idle core; load average ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores`,
    `${result.gflopPerIteration.toFixed(1)} GFLOP per iteration (convolutions) = ${(result.gflopPerIteration * result.iterationsPerSecond).toFixed(1)} GFLOP/s wall, ${((1000 * result.gflopPerIteration) / result.cpuMsPerIteration).toFixed(1)} GFLOP/s per CPU-second`,
  ];
  if (result.profile !== undefined) {
    for (const [phase, kernels] of Object.entries(result.profile) as [string, KernelTime[]][]) {
      const total = kernels.reduce((sum, k) => sum + k.ms, 0);
      lines.push(`${phase}: ${total.toFixed(0)} ms (one profiled step)`);
      for (const k of kernels.slice(0, 12)) lines.push(`  ${k.kernel.padEnd(24)} ${k.ms.toFixed(1).padStart(8)} ms  ${String(k.calls).padStart(4)} calls`);
    }
  }
  return `${lines.join('\n')}\n`;
}

runCli(import.meta.url, main, USAGE);
