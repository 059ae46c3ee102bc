import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/codec/png';
import type { WdsrBConfig } from '../../training/archs/config';
import { trainingHooks } from '../../training/cli/training-hooks';
import type { ExperimentConfig } from '../../training/config/experiment';
import { validateExperimentConfig } from '../../training/config/validate';
import { withRepoRelativePaths } from '../../training/config/load';
import { ProgressLine } from '../../training/loop/progress';
import { readRunLog } from '../../training/reports/plot/run-curves';
import { deriveConfig, type ReproExperiment } from '../../training/repro/experiment';
import { writeReport } from '../../training/repro/report';
import { runSuite } from '../../training/repro/runner';
import { readRun, readSessions, runStatus } from '../../training/repro/run-state';
import { fig3Experiments, table1Experiments } from '../../training/repro/suites';
import { silent } from './helpers/training-runs';

/** Smooth colour waves (learnable, unlike noise) as PNG files. */
async function writeWaves(dir: string, count: number, size: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let k = 0; k < count; k++) {
    const data = new Uint8Array(size * size * 4);
    for (let i = 0; i < size * size; i++) {
      const [x, y] = [i % size, Math.floor(i / size)];
      for (let c = 0; c < 3; c++) data[4 * i + c] = Math.round(127.5 + 120 * Math.sin(0.21 * x * (k + 1) + c) * Math.cos(0.17 * y - k - c));
      data[4 * i + 3] = 255;
    }
    await writeFile(join(dir, `wave${k}.png`), encodePng({ width: size, height: size, data }, true));
  }
}

const tinyArch: WdsrBConfig = { arch: 'wdsr_b', scale: 2, nFeats: 4, nBlocks: 1, expansion: 4, lowRank: 0.8, resScale: 1, normalization: 'weight' };

let workDir: string;
let base: ExperimentConfig;
const experiment = (overrides: { arch?: Partial<WdsrBConfig>; lr?: number; seed?: number }): ReproExperiment => ({
  label: 'tiny',
  config: deriveConfig(base, {
    arch: { ...tinyArch, ...overrides.arch },
    ...(overrides.lr === undefined ? {} : { lr: overrides.lr }),
    seed: overrides.seed ?? 1,
    purpose: 'test',
  }),
});

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'wdsr-repro-'));
  await writeWaves(join(workDir, 'train'), 3, 40);
  await writeWaves(join(workDir, 'val'), 2, 24);
  base = validateExperimentConfig(
    {
      name: 'tiny_base',
      arch: tinyArch,
      data: { train: [join(workDir, 'train')], val: join(workDir, 'val'), hrPatchSize: 16 },
      train: {
        iterations: 6,
        batchSize: 2,
        lr: 1e-3,
        lrHalvingSteps: [4],
        seed: 1,
        backend: 'wasm',
        logEvery: 1,
        validateEvery: 3,
        checkpointEvery: 2,
        keepCheckpoints: 2,
      },
    },
    'tiny',
  );
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** A suite's run root and record root under `workDir/<name>`, with the validation folder as the only evaluation set. */
const suiteDirs = (name: string) => ({ runRoot: join(workDir, name, 'runs'), recordRoot: join(workDir, name, 'records'), evalDirs: [join(workDir, 'val')] });

describe('runSuite', () => {
  it('stops cleanly between runs, resumes the interrupted one, then skips what has finished', async () => {
    const dirs = suiteDirs('resume');
    const { runRoot } = dirs;
    const experiments = [experiment({ seed: 1 }), experiment({ seed: 2 })];
    const [first, second] = experiments.map((e) => join(runRoot, e.config.name));
    const controller = new AbortController();
    const stopAtThree = new ProgressLine({ write: (text: string) => text.startsWith('iter 3/6') && controller.abort() });

    expect(await runSuite({ ...dirs, experiments, signal: controller.signal, hooks: trainingHooks, console: stopAtThree })).toEqual([
      { name: experiments[0]!.config.name, outcome: 'interrupted' },
    ]);
    expect(await readdir(runRoot)).toEqual([experiments[0]!.config.name]);

    const resumed = await runSuite({ ...dirs, experiments, hooks: trainingHooks, console: silent });
    expect(resumed.map((r) => r.outcome)).toEqual(['finished', 'finished']);
    const sessions = await readSessions(first!);
    expect(sessions.map(({ startIteration, endIteration, outcome }) => ({ startIteration, endIteration, outcome }))).toEqual([
      { startIteration: 0, endIteration: 3, outcome: 'interrupted' },
      { startIteration: 3, endIteration: 6, outcome: 'finished' },
    ]);
    expect(sessions.every((s) => s.cpuSec > 0 && s.wallSec > 0 && s.cpuModel.length > 0)).toBe(true);
    // The load each session ran under, sampled at its logged training records, and the machine's cores.
    expect(sessions.every((s) => typeof s.loadAverage === 'number' && s.loadAverage >= 0 && s.cores! >= 1)).toBe(true);

    const logsBefore = await Promise.all([first!, second!].map((dir) => readFile(join(dir, 'log.jsonl'), 'utf8')));
    expect((await runSuite({ ...dirs, experiments, hooks: trainingHooks, console: silent })).map((r) => r.outcome)).toEqual([
      'already finished',
      'already finished',
    ]);
    expect(await Promise.all([first!, second!].map((dir) => readFile(join(dir, 'log.jsonl'), 'utf8')))).toEqual(logsBefore);
    expect(await readSessions(first!)).toHaveLength(2);
  });

  it('records a run whose loss explodes or turns NaN as diverged, moves on, and never retrains it', async () => {
    const dirs = suiteDirs('diverge');
    const { runRoot } = dirs;
    // Without normalization, lr 1 throws the loss from 0.2 to the hundreds at once (measured); a residual scale
    // beyond float32's range makes the very first loss NaN.
    const experiments = [experiment({ arch: { normalization: 'none' }, lr: 1 }), experiment({ arch: { resScale: 1e39 } }), experiment({})];
    expect((await runSuite({ ...dirs, experiments, hooks: trainingHooks, console: silent })).map((r) => r.outcome)).toEqual([
      'diverged',
      'diverged',
      'finished',
    ]);

    const status = async (e: ReproExperiment) => {
      const runDir = join(runRoot, e.config.name);
      return runStatus(runDir, e.config, await readRunLog(runDir), await readSessions(runDir));
    };
    expect(await status(experiments[0]!)).toMatchObject({
      state: 'diverged',
      iteration: 4,
      reason: expect.stringMatching(/^loss exploded: .* at iteration 4, over 10x its best/),
    });
    expect(await status(experiments[1]!)).toEqual({ state: 'diverged', iteration: 1, reason: 'loss diverged to NaN at iteration 1' });
    expect((await runSuite({ ...dirs, experiments, hooks: trainingHooks, console: silent })).map((r) => r.outcome)).toEqual([
      'already diverged',
      'already diverged',
      'already finished',
    ]);

    // The record of a diverged run says so without a run directory, and has no final scores.
    const recorded = join(dirs.recordRoot, experiments[0]!.config.name);
    expect((await readRun(recorded, experiments[0]!.config)).status).toMatchObject({ state: 'diverged', iteration: 4 });
    expect((await readdir(recorded)).sort()).toEqual(['config.json', 'log.jsonl', 'repro-sessions.jsonl']);
  });
});

describe('run records', () => {
  it('persists a run when it finishes, not when it is interrupted, and keeps the log, scores and sessions it needs', async () => {
    const dirs = suiteDirs('record');
    const tiny = experiment({ seed: 4 });
    const recordDir = join(dirs.recordRoot, tiny.config.name);
    const controller = new AbortController();
    const stopAtThree = new ProgressLine({ write: (text: string) => text.startsWith('iter 3/6') && controller.abort() });
    expect(
      (await runSuite({ ...dirs, experiments: [tiny], signal: controller.signal, hooks: trainingHooks, console: stopAtThree })).map((r) => r.outcome),
    ).toEqual(['interrupted']);
    expect(
      await stat(dirs.recordRoot).then(
        () => true,
        () => false,
      ),
    ).toBe(false);

    expect((await runSuite({ ...dirs, experiments: [tiny], hooks: trainingHooks, console: silent })).map((r) => r.outcome)).toEqual(['finished']);
    expect((await readdir(recordDir)).sort()).toEqual(['config.json', 'final-eval.json', 'log.jsonl', 'repro-sessions.jsonl']);
    expect(JSON.parse(await readFile(join(recordDir, 'config.json'), 'utf8'))).toEqual(withRepoRelativePaths(tiny.config));
    const runDir = join(dirs.runRoot, tiny.config.name);
    expect(await readFile(join(recordDir, 'repro-sessions.jsonl'), 'utf8')).toBe(await readFile(join(runDir, 'repro-sessions.jsonl'), 'utf8'));
    expect(await readFile(join(recordDir, 'final-eval.json'), 'utf8')).toBe(await readFile(join(runDir, 'final-eval.json'), 'utf8'));
    // Every training, validation, start and stop record of so short a run is kept; checkpoint records are not.
    const [full, summary] = [await readRunLog(runDir), await readRunLog(recordDir)];
    expect(summary).toEqual(full.filter((r) => r.type !== 'checkpoint'));
    expect([...new Set(summary.filter((r) => r.type === 'train').map((r) => r.iteration))]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('counts a run as done from a record of the same config alone, and retrains when the config differs', async () => {
    const dirs = suiteDirs('reuse');
    const tiny = experiment({ seed: 5 });
    const recordConfig = join(dirs.recordRoot, tiny.config.name, 'config.json');
    await runSuite({ ...dirs, experiments: [tiny], hooks: trainingHooks, console: silent });
    // A new machine: the run directory is gone, only the committed record remains.
    await rm(dirs.runRoot, { recursive: true });
    expect((await runSuite({ ...dirs, experiments: [tiny], hooks: trainingHooks, console: silent })).map((r) => r.outcome)).toEqual(['already finished']);
    await writeFile(recordConfig, JSON.stringify({ ...tiny.config, description: 'reworded' }));
    expect((await runSuite({ ...dirs, experiments: [tiny], hooks: trainingHooks, console: silent })).map((r) => r.outcome)).toEqual(['already finished']);
    expect(
      await stat(dirs.runRoot).then(
        () => true,
        () => false,
      ),
    ).toBe(false);

    // The same run name under another budget (a larger patch): the record no longer counts, and the new run replaces it.
    await writeFile(recordConfig, JSON.stringify({ ...tiny.config, data: { ...tiny.config.data, hrPatchSize: 20 } }));
    expect((await runSuite({ ...dirs, experiments: [tiny], hooks: trainingHooks, console: silent })).map((r) => r.outcome)).toEqual(['finished']);
    expect(JSON.parse(await readFile(recordConfig, 'utf8'))).toEqual(withRepoRelativePaths(tiny.config));
  });
});

describe('writeReport', () => {
  it('reports the recorded runs of the real suites with their scores and curves, and the rest as missing', async () => {
    const reportFile = join(workDir, 'docs', 'reproduction.md');
    const plotDir = join(workDir, 'docs', 'reproduction');
    const { runRoot, evalDirs } = suiteDirs('report');
    const recordRoot = join(plotDir, 'runs');
    await mkdir(plotDir, { recursive: true });
    await writeFile(join(plotDir, 'stale.svg'), '<svg/>');
    const finished = [...table1Experiments(base).filter((e) => e.blocks === 1 && e.seed === 1 && e.network !== 'EDSR+WN'), fig3Experiments(base)[0]!];
    await runSuite({ experiments: finished, runRoot, recordRoot, evalDirs, hooks: trainingHooks, console: silent });
    // A new machine: only the records committed beside the report remain.
    await rm(runRoot, { recursive: true });

    const options = { base, runRoot, recordRoot, reportFile, evalDirs };
    const { plots } = await writeReport(options);
    const report = await readFile(reportFile, 'utf8');
    expect(report).toContain('**State:** 4 of 18 runs finished, 14 not started.');
    expect(report).toMatch(/\| 1 \| EDSR \| 262,019 \| 0\.26M \| 33\.210 \| \d+\.\d\d \| 1\/3 finished, 2 missing \|/);
    expect(report).toMatch(/\| 3 \| WDSR-B \| 233,318 \| 0\.23M \| 34\.205 \| not measured \| 0\/1 finished, 1 missing \|/);
    expect(report).toContain('| WDSR-B − EDSR, 1 block | +0.224 | ');
    expect(report).toContain('| table1 | `EDSR_x2_f64b3_nonorm_lr1e-4_s1_i6` | missing (not run yet) | — | — | — |');
    expect(report).toMatch(/Figure 3, batch norm, lr 1e-4|batch norm, lr 1e-4 \| missing/);
    expect((await readdir(plotDir)).sort()).toEqual(['fig3-loss.svg', 'fig3-val-psnr.svg', 'runs', 'table1-loss-1block.svg', 'table1-val-psnr-1block.svg']);
    expect(plots).toHaveLength(4);
    for (const file of plots) expect(report).toContain(`](reproduction/${basename(file)})`);

    // A second report gives the same page.
    await writeReport(options);
    expect(await readFile(reportFile, 'utf8')).toBe(report);
  });

  it('draws a partial run from its run directory next to the recorded ones, without counting it', async () => {
    const dirs = suiteDirs('report-partial');
    const reportFile = join(workDir, 'partial', 'reproduction.md');
    const [recorded, partial] = table1Experiments(base);
    await runSuite({ ...dirs, experiments: [recorded!], hooks: trainingHooks, console: silent });
    const controller = new AbortController();
    const stopAtThree = new ProgressLine({ write: (text: string) => text.startsWith('iter 3/6') && controller.abort() });
    await runSuite({ ...dirs, experiments: [partial!], signal: controller.signal, hooks: trainingHooks, console: stopAtThree });
    await rm(join(dirs.runRoot, recorded!.config.name), { recursive: true });

    await writeReport({ ...dirs, base, reportFile });
    const report = await readFile(reportFile, 'utf8');
    expect(report).toContain(`**State:** 1 of 18 runs finished, 16 not started, 1 partial or diverged: \`${partial!.config.name}\` (partial).`);
    expect(await readFile(join(workDir, 'partial', 'reproduction', 'table1-loss-1block.svg'), 'utf8')).toContain('(partial)');
  });
});
