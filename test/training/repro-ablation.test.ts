import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildArch, countParameters, macsPerLrPixel } from '../../training/archs/index';
import type { ExperimentConfig } from '../../training/config/experiment';
import { loadExperimentConfig, resolveRepoPath, withRepoRelativePaths } from '../../training/config/load';
import { changedPaths } from '../../training/loop/run-dir';
import type { Manifest } from '../../training/onnx/manifest';
import type { LogRecord } from '../../training/loop/run-log';
import { runCurves } from '../../training/reports/plot/run-curves';
import { formatModelReport } from '../../training/reports/model-report';
import {
  ABLATION_ARMS,
  ablationExperiments,
  DISTILL_CONFIG_PATH,
  loadAblationSuite,
  REPARAM_CONFIG_PATH,
  type AblationArm,
  type AblationExperiment,
} from '../../training/repro/ablation';
import type { RunSummary } from '../../training/repro/collect';
import { ablationPage, exportedCost, writeAblationReport } from '../../training/repro/report-ablation';
import type { RunStatus, SessionRecord } from '../../training/repro/run-state';
import { REPORT_EVAL_DIRS } from '../../training/repro/suites';
import { fakeScores, reportContext } from './helpers/repro-report';

const suite = await loadAblationSuite(undefined, { checkData: false });
const served = await loadExperimentConfig(resolveRepoPath('training/configs/wdsr_b_x2_f16b8.json'), { checkData: false });
const experiments = ablationExperiments(suite);
const plain = experiments[0]!.config;

/** The settings an arm changes from `plain`, its name and description aside. */
const lever = (config: ExperimentConfig) => changedPaths(plain, config).filter((path) => path !== 'name' && path !== 'description');

describe('the ablation suite', () => {
  it('trains the served x2 size on its data at a constant lr for 1,000 iterations by default', () => {
    expect(suite.base.train.iterations).toBe(1000);
    expect(plain.arch).toEqual(served.arch);
    expect(plain.data).toEqual(served.data);
    expect(plain.train).toMatchObject({ lr: 1e-3, lrHalvingSteps: [], seed: served.train.seed, batchSize: served.train.batchSize, workers: 1 });
    expect(plain.train.lrSchedule).toBeUndefined();
    expect(plain.arch).toMatchObject({ arch: 'wdsr_b', scale: 2, nFeats: 16, nBlocks: 8 });
  });

  it.each<[AblationArm, string[]]>([
    ['plain', []],
    ['reparam', ['arch.reparam']],
    ['distill', ['distill']],
    ['patch128', ['data.hrPatchSize']],
    ['no-flips', ['data.augment']],
    ['cosine', ['train.lrSchedule']],
  ])('arm %s differs from plain in %j alone', (arm, paths) => {
    const experiment = experiments.find((e) => e.arm === arm)!;
    expect(lever(experiment.config)).toEqual(paths);
    expect(experiment.config.name).toBe(`WDSR-B_x2_f16b8e6r0.8_wn_lr1e-3_s1_i1000_${arm}`);
  });

  it('pulls each lever as the config that trains it at full length does', async () => {
    const byArm = (arm: AblationArm) => experiments.find((e) => e.arm === arm)!.config;
    const [reparam, distill] = await Promise.all(
      [REPARAM_CONFIG_PATH, DISTILL_CONFIG_PATH].map((path) => loadExperimentConfig(resolveRepoPath(path), { checkData: false })),
    );
    expect(byArm('reparam').arch).toEqual(reparam!.arch);
    expect(byArm('distill').distill).toEqual(distill!.distill);
    expect(byArm('distill').distill!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(byArm('patch128').data.hrPatchSize).toBe(128);
    expect(byArm('no-flips').data.augment).toBe(false);
    expect(byArm('cosine').train.lrSchedule).toEqual({ kind: 'cosine', iterations: 1000 });
  });

  it('lists every arm once, plain first, and trains only the arms asked for', () => {
    expect(experiments.map((e) => e.arm)).toEqual([...ABLATION_ARMS]);
    expect(new Set(experiments.map((e) => e.config.name)).size).toBe(ABLATION_ARMS.length);
    expect(ablationExperiments(suite, ['cosine', 'plain']).map((e) => e.arm)).toEqual(['plain', 'cosine']);
  });

  it('scales with the budget: names, and the cosine decay over the whole of it', async () => {
    const quick = ablationExperiments(await loadAblationSuite(20, { checkData: false }));
    expect(quick.every((e) => e.config.name.includes('_i20_'))).toBe(true);
    expect(quick.find((e) => e.arm === 'cosine')!.config.train).toMatchObject({ iterations: 20, lrSchedule: { kind: 'cosine', iterations: 20 } });
  });

  it('exports the served graph from every arm: the same parameters and MACs per LR pixel, reparam collapsed', () => {
    const servedGraph = buildArch(served.arch);
    for (const { arm, config } of experiments) {
      const cost = exportedCost(config.arch);
      expect(cost.parameters, arm).toBe(countParameters(servedGraph));
      expect(cost.macsPerLrPixel, arm).toBe(macsPerLrPixel(servedGraph));
      if (arm === 'reparam') expect(cost.trainedParameters).toBeGreaterThan(cost.parameters);
      else expect(cost.trainedParameters).toBe(cost.parameters);
    }
    expect(countParameters(servedGraph)).toBe(40_452);
  });
});

const context = reportContext(1000, 'ablation');

/** Final Set5 scores of the fake runs (B100 4.5 dB lower); an arm missing here has not finished. */
const SET5: Partial<Record<AblationArm, number>> = { plain: 35.3, reparam: 35.2, distill: 35.42, patch128: 35.33, 'no-flips': 35.1 };

const scores = (set5: number) => fakeScores(set5, 4.5);

/** A log of training records at `itPerSec`, and validations rising to `psnr`, up to `until`. */
function log(until: number, itPerSec: number, psnr: number): LogRecord[] {
  const records: LogRecord[] = [];
  for (let i = 100; i <= until; i += 100) {
    records.push({ type: 'train', iteration: i, loss: 0.05, lr: 1e-3, itPerSec, elapsedSec: i / itPerSec });
    records.push({ type: 'val', iteration: i, set: 'Set5', psnr: psnr - 1 + i / 1000, ssim: 0.9 });
  }
  return records;
}

const session = (end: number, loadAverage: number): SessionRecord => ({
  startIteration: 0,
  endIteration: end,
  outcome: end === 1000 ? 'finished' : 'interrupted',
  cpuSec: end * 1.8,
  wallSec: end * 2,
  cpuModel: 'AMD EPYC 7B13',
  cores: 2,
  loadAverage,
  time: '2026-12-08T00:00:00.000Z',
});

/** The runs as summarizeRuns reads them: `cosine` partial, patch128 twice as slow. */
function fakeRuns(): RunSummary<AblationExperiment>[] {
  return experiments.map((experiment) => {
    const set5 = SET5[experiment.arm];
    const itPerSec = experiment.arm === 'patch128' ? 0.25 : 0.5;
    const status: RunStatus = set5 === undefined ? { state: 'partial', iteration: 400 } : { state: 'finished', iteration: 1000 };
    const records = log(status.iteration, itPerSec, set5 ?? 35);
    return {
      experiment,
      status,
      curves: runCurves(records),
      sessions: [session(status.iteration, 3.2)],
      cpuSec: status.iteration * 1.8,
      wallSec: status.iteration * 2,
      iterationsPerCpuSecond: 1 / 1.8,
      secondsPerIteration: 1 / itPerSec,
      loadAverage: 3.2,
      cores: 2,
      ...(set5 === undefined ? {} : { final: scores(set5) }),
    };
  });
}

describe('ablationPage', () => {
  const options = { flags: ' --run-root ../runs/ablation', roots: { runRoot: '../runs/ablation', recordRoot: 'docs/ablation/runs' } };

  it('gives each arm its scores, difference from plain, time and load, exported cost and command, and states the budget', () => {
    const { markdown, plots } = ablationPage(suite, fakeRuns(), context, options);
    expect(markdown).toContain('## The table (1,000 iterations per arm)');
    expect(markdown).toContain(
      '| `plain` | none: 96x96 HR patches, the 8 flips/rotations, constant lr 1e-3, L1 to HR | finished (1,000 iterations) | 35.300 | 30.800 | — | — | 2.00 s (load 3.2) | 40,452 | 38,388 | `npm run repro -- ablation --arm plain --iterations 1000 --run-root ../runs/ablation` |',
    );
    expect(markdown).toMatch(
      /\| `reparam` \| `arch\.reparam` of `training\/configs\/wdsr_b_x2_f16b8_reparam\.json`: expand, reduce, spatial trained as collapsible blocks, expansion 4 \| finished \(1,000 iterations\) \| 35\.200 \| 30\.700 \| -0\.100 \/ -0\.100 \| hurts \| 2\.00 s \(load 3\.2\) \| 40,452 \(trains \d{2,3},\d{3}\) \| 38,388 \|/,
    );
    expect(markdown).toContain('| 35.420 | 30.920 | +0.120 / +0.120 | helps | 2.00 s (load 3.2) |');
    expect(markdown).toContain('| 35.330 | 30.830 | +0.030 / +0.030 | no clear effect | 4.00 s (load 3.2) |');
    expect(markdown).toContain(
      '| `cosine` | `train.lrSchedule` cosine over the 1,000 iterations: lr from 1e-3 to 0 | partial: 400 of 1,000 iterations logged | — | — | — | — |',
    );
    expect(markdown).toContain(
      '| bicubic | no network | measured | 33.670 | 29.560 | — | — | — | 0 | 0 | `npm run repro -- report ablation --iterations 1000 --run-root ../runs/ablation` |',
    );
    expect(markdown).toContain('at most the MACs per LR pixel of the served 16/8 one, 38,388 (40,452 parameters). Every arm is within it');
    expect(markdown).toContain('Times were measured on a shared machine (AMD EPYC 7B13, 2 logical cores) while other training jobs ran on it');
    expect(markdown).toContain(
      "- **patch128**: no clear effect (Set5 +0.030, B100 +0.030 dB vs plain); 2.00x plain's wall time per iteration (loads 3.2 and 3.2).",
    );
    expect(markdown).toContain('- **distill**: helps (Set5 +0.120, B100 +0.120 dB vs plain)');
    expect(markdown).toContain('- **cosine**: not measured yet: partial: 400 of 1,000 iterations logged.');
    expect(markdown).toContain(
      '**State:** 5 of 6 runs finished, 0 not started, 1 partial or diverged: `WDSR-B_x2_f16b8e6r0.8_wn_lr1e-3_s1_i1000_cosine` (partial).',
    );
    expect(markdown).toContain('| Iterations | 1,000 per arm |');
    expect(plots.map((p) => p.file)).toEqual(['ablation-val-psnr.svg']);
    expect(plots[0]!.svg).toContain('data-name="cosine (partial)"');
  });

  it('compares nothing until plain has finished, and measures no time before a run has trained', () => {
    const runs = fakeRuns().map((run) =>
      run.experiment.arm === 'plain'
        ? { ...run, status: { state: 'missing' } as const, sessions: [], curves: runCurves([]), final: undefined, secondsPerIteration: undefined }
        : run,
    );
    const { markdown } = ablationPage(suite, runs, context, options);
    expect(markdown).toContain('- **distill**: not compared yet: `plain` has not finished.');
    const untrained = experiments.map((experiment) => ({
      experiment,
      status: { state: 'missing' } as const,
      curves: runCurves([]),
      sessions: [],
      cpuSec: 0,
      wallSec: 0,
    }));
    const empty = ablationPage(suite, untrained, context, { ...options, flags: '' });
    expect(empty.markdown).toContain('No run has trained yet, so no time is measured.');
    expect(empty.markdown).toContain('`npm run repro -- ablation --arm cosine --iterations 1000` |');
    expect(empty.plots).toEqual([]);
  });
});

describe('writeAblationReport', () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'wdsr-ablation-'));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  /** A committed record as persistRun writes it, scored on `REPORT_EVAL_DIRS`. */
  async function writeRecord(recordRoot: string, experiment: AblationExperiment, set5: number, itPerSec: number): Promise<void> {
    const dir = join(recordRoot, experiment.config.name);
    await mkdir(dir, { recursive: true });
    const records: LogRecord[] = [
      { type: 'start', iteration: 0, backend: 'wasm' },
      ...log(1000, itPerSec, set5),
      { type: 'stop', iteration: 1000, reason: 'finished' },
    ];
    await writeFile(join(dir, 'config.json'), JSON.stringify(withRepoRelativePaths(experiment.config)));
    await writeFile(join(dir, 'log.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    await writeFile(join(dir, 'repro-sessions.jsonl'), `${JSON.stringify(session(1000, 2.5))}\n`);
    await writeFile(join(dir, 'final-eval.json'), JSON.stringify({ key: { iteration: 1000, scale: 2, dirs: REPORT_EVAL_DIRS }, report: scores(set5) }));
  }

  it('reads committed records with the repro readers and writes the page and its plot, the same each time', async () => {
    const runRoot = join(workDir, 'runs');
    const reportFile = join(workDir, 'docs', 'ablation.md');
    const recordRoot = join(workDir, 'docs', 'ablation', 'runs');
    await mkdir(runRoot, { recursive: true });
    // Bicubic as bicubicEvaluation caches it in the run root: nothing is scored here.
    await writeFile(join(runRoot, 'bicubic-eval.json'), JSON.stringify({ key: { scale: 2, dirs: REPORT_EVAL_DIRS }, report: scores(40) }));
    await writeRecord(recordRoot, experiments[0]!, 35.3, 0.5);
    await writeRecord(recordRoot, experiments.find((e) => e.arm === 'cosine')!, 35.45, 0.5);

    const options = { suite, runRoot, recordRoot, reportFile, evalDirs: REPORT_EVAL_DIRS };
    const { plots } = await writeAblationReport(options);
    const page = await readFile(reportFile, 'utf8');
    expect(page).toContain('**State:** 2 of 6 runs finished, 4 not started.');
    expect(page).toMatch(
      /\| `cosine` \| .* \| finished \(1,000 iterations\) \| 35\.450 \| 30\.950 \| \+0\.150 \/ \+0\.150 \| helps \| 2\.00 s \(load 2\.5\) \| 40,452 \| 38,388 \| `npm run repro -- ablation --arm cosine --iterations 1000 --run-root .*runs --report .*ablation\.md` \|/,
    );
    expect(page).toContain('| `distill` |');
    expect(page).toContain('| missing (not run yet) |');
    expect(await readdir(join(workDir, 'docs', 'ablation'))).toEqual(['ablation-val-psnr.svg', 'runs']);
    expect(plots).toEqual([join(workDir, 'docs', 'ablation', 'ablation-val-psnr.svg')]);
    await writeAblationReport(options);
    expect(await readFile(reportFile, 'utf8')).toBe(page);
  });
});

describe('the model report', () => {
  it('points at the ablation page at its end, when given one', () => {
    const manifest: Manifest = { schemaVersion: 1, models: [], references: [] };
    const without = formatModelReport(manifest, new Map(), new Map(), new Map(), 'npm run report:model');
    const withPage = formatModelReport(manifest, new Map(), new Map(), new Map(), 'npm run report:model', undefined, '../docs/ablation.md');
    expect(without).not.toContain('issue #20');
    expect(withPage.startsWith(without)).toBe(true);
    expect(withPage.slice(without.length)).toMatch(
      /^## Levers at a fixed budget \(issue #20\)\n\n.*\[the ablation table\]\(\.\.\/docs\/ablation\.md\).*`npm run repro -- ablation`\.\n\n$/,
    );
  });
});
