import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../training/loop/run-log';
import { runCurves } from '../../training/reports/plot/run-curves';
import type { RunSummary } from '../../training/repro/collect';
import { DivergenceMonitor } from '../../training/repro/divergence';
import type { ReproExperiment } from '../../training/repro/experiment';
import { fig3Section } from '../../training/repro/report-fig3';
import { table1Section } from '../../training/repro/report-table1';
import type { RunStatus } from '../../training/repro/run-state';
import { median, pairedDirection, pooledStd, sampleStd } from '../../training/repro/stats';
import { describeStatus, statusCounts } from '../../training/repro/status-text';
import { BASE_CONFIG_PATH, fig3Experiments, loadReproBase, table1Experiments, type Table1Experiment } from '../../training/repro/suites';
import { fakeScores, reportContext } from './helpers/repro-report';

// A fixed budget of 2,000 iterations, so the expected numbers below do not move when base.json does.
const base = await loadReproBase(BASE_CONFIG_PATH, 2000, { checkData: false });
const ITERATIONS = base.train.iterations;
const context = reportContext(ITERATIONS, 'reproduction');

const train = (iteration: number, loss: number): LogRecord => ({ type: 'train', iteration, loss, lr: 1e-3, itPerSec: 1, elapsedSec: iteration });
const val = (iteration: number, psnr: number): LogRecord => ({ type: 'val', iteration, set: 'Set5', psnr, ssim: 0.9 });

/** A log whose loss falls from `start` and whose validation PSNR rises to `finalPsnr`, up to `until`. */
function log(until: number, start: number, finalPsnr: number, dip?: { at: number; by: number }): LogRecord[] {
  const records: LogRecord[] = [];
  for (let i = 100; i <= until; i += 100) {
    records.push(train(i, start / (1 + i / 200)));
    records.push(val(i, finalPsnr - 2 * Math.exp(-i / 300) - (dip?.at === i ? dip.by : 0)));
  }
  return records;
}

/** A run as collectRuns would summarize it; a final score only where the run finished. */
function run<E extends ReproExperiment>(experiment: E, status: RunStatus, records: LogRecord[] = [], finalSet5?: number): RunSummary<E> {
  return {
    experiment,
    status,
    curves: runCurves(records),
    sessions: [],
    cpuSec: 0,
    wallSec: 0,
    // B100 5 dB below Set5, so both sets show the same differences.
    ...(finalSet5 === undefined ? {} : { final: fakeScores(finalSet5, 5) }),
  };
}
const finished = <E extends ReproExperiment>(experiment: E, set5: number) =>
  run(experiment, { state: 'finished', iteration: ITERATIONS }, log(ITERATIONS, 0.1, set5), set5);

/** Final Set5 PSNR per Table 1 run: a clear WDSR-A and WDSR-B gain at 1 block, WDSR-B ~ WDSR-A, WDSR-A below EDSR at 3 blocks. */
const TABLE1_SET5: Record<string, number> = {
  'EDSR/1/1': 35.0,
  'EDSR/1/2': 35.05,
  'EDSR/1/3': 34.95,
  'WDSR-A/1/1': 35.3,
  'WDSR-A/1/2': 35.33,
  'WDSR-A/1/3': 35.27,
  'WDSR-B/1/1': 35.31,
  'WDSR-B/1/2': 35.31,
  'WDSR-B/1/3': 35.28,
  'EDSR/3/1': 35.9,
  'WDSR-A/3/1': 35.4,
  'WDSR-B/3/1': 36.3,
  'EDSR+WN/1/1': 35.2,
};
const key = (e: Table1Experiment) => `${e.network}/${e.blocks}/${e.seed}`;

describe('table1Section', () => {
  it('puts mean ± std over seeds next to the paper and judges each claim against the seed noise', () => {
    const runs = table1Experiments(base).map((e) => finished(e, TABLE1_SET5[key(e)]!));
    const { markdown, findings, noise, plots } = table1Section(runs, context);
    expect(markdown).toContain('| 1 | EDSR | 262,019 | 0.26M | 33.210 | 35.00 ± 0.05 (n=3) | 30.00 ± 0.05 (n=3) | 3/3 finished |');
    expect(markdown).toContain('| 3 | WDSR-B | 233,318 | 0.23M | 34.205 | 36.30 | 31.30 | 1/1 finished |');
    expect(markdown).toContain('| — | bicubic | 0 | — | — | 33.67 | 29.56 | measured |');
    expect(markdown).toContain('| WDSR-A − EDSR, 1 block | +0.113 | +0.30 ± 0.02 (n=3), higher | +0.30 ± 0.02 (n=3), higher | confirmed |');
    expect(markdown).toContain(
      '| WDSR-B − WDSR-A, 1 block | +0.111 | +0.00 ± 0.02 (n=3), within noise | +0.00 ± 0.02 (n=3), within noise | consistent (similar within noise) |',
    );
    expect(markdown).toContain('| WDSR-A − EDSR, 3 blocks | +0.120 | -0.50, lower | -0.50, lower | contradicted |');
    expect(markdown).toContain('| EDSR+WN − EDSR, 1 block | — | +0.20, higher | +0.20, higher | control (not a claim of the paper) |');
    // Pooled over EDSR (std 0.05), WDSR-A (0.03) and WDSR-B (0.0173): sqrt((0.0025 + 0.0009 + 0.0003) / 3).
    expect(noise.get('Set5')).toBeCloseTo(Math.sqrt((0.0025 + 0.0009 + 0.0003) / 3), 6);
    expect(findings).toContain('Table 1, WDSR-B − EDSR, 3 blocks: **confirmed** (ours Set5 +0.40, higher; B100 +0.40, higher; paper +0.162 dB on DIV2K).');
    expect(findings.some((f) => f.includes('EDSR+WN'))).toBe(false);
    expect(plots.map((p) => p.file)).toEqual([
      'table1-val-psnr-1block.svg',
      'table1-loss-1block.svg',
      'table1-val-psnr-3blocks.svg',
      'table1-loss-3blocks.svg',
    ]);
  });

  it('takes numbers only from finished runs, names the others, and marks partial curves', () => {
    const runs = table1Experiments(base).map((e) => {
      if (key(e) === 'WDSR-B/1/1') return run(e, { state: 'partial', iteration: 800 }, log(800, 0.1, 34.9));
      if (key(e) === 'EDSR/3/1') return run(e, { state: 'diverged', iteration: 60, reason: 'loss exploded' }, log(0, 0.1, 0));
      if (e.seed === 3 || e.network === 'EDSR+WN') return run(e, { state: 'missing' });
      return finished(e, TABLE1_SET5[key(e)]!);
    });
    const { markdown, plots, findings } = table1Section(runs, context);
    expect(markdown).toContain('| 1 | WDSR-B | 84,250 | 0.08M | 33.434 | 35.31 | 30.31 | 1/3 finished, 1 partial, 1 missing |');
    expect(markdown).toContain('| 3 | EDSR | 409,731 | 0.41M | 34.043 | not measured | not measured | 0/1 finished, 1 diverged |');
    expect(markdown).toContain('| WDSR-B, 1 block, seed 1 | partial: 800 of 2,000 iterations logged | — | — |');
    expect(markdown).toContain('| EDSR, 3 blocks, seed 1 | diverged at iteration 60: loss exploded | — | — |');
    expect(markdown).toContain('| WDSR-B − EDSR, 3 blocks | +0.162 | not measured | not measured | not measured: EDSR, 3 blocks, seed 1 diverged |');
    expect(markdown).toContain('| WDSR-B − WDSR-A, 3 blocks | +0.042 | +0.90, higher | +0.90, higher | confirmed (better) |');
    expect(markdown).not.toContain('34.90');
    expect(findings).toContain(
      'Table 1, WDSR-A − EDSR, 3 blocks: **not measured: EDSR, 3 blocks, seed 1 diverged** (ours Set5 not measured; B100 not measured; paper +0.120 dB on DIV2K).',
    );
    // Only seed 2 pairs up; its +0.26 dB beats 2·√2 times the noise pooled over the seeds that finished (0.029 dB).
    expect(findings).toContain('Table 1, WDSR-B − EDSR, 1 block: **confirmed** (ours Set5 +0.26, higher; B100 +0.26, higher; paper +0.224 dB on DIV2K).');
    const curves = plots.find((p) => p.file === 'table1-val-psnr-1block.svg')!.svg;
    expect(curves).toContain('data-name="WDSR-B (partial)"');
    expect(curves).toContain('data-name="bicubic (Set5)"');
  });
});

describe('fig3Section', () => {
  const [wn, bn, none, bnHigh, noneHigh] = fig3Experiments(base);
  const noise = new Map([
    ['Set5', 0.05],
    ['B100', 0.05],
  ]);

  it('compares convergence, accuracy and validation stability, and reports divergence and missing runs', () => {
    const runs = [
      run(wn!, { state: 'finished', iteration: ITERATIONS }, log(ITERATIONS, 0.08, 36.0), 36.0),
      run(bn!, { state: 'finished', iteration: ITERATIONS }, log(ITERATIONS, 0.12, 35.2, { at: 1500, by: 0.8 }), 35.2),
      run(none!, { state: 'finished', iteration: ITERATIONS }, log(ITERATIONS, 0.1, 35.6), 35.6),
      run(bnHigh!, { state: 'diverged', iteration: 120, reason: 'loss exploded: 2.00e+0 at iteration 120' }, log(100, 0.1, 30)),
      run(noneHigh!, { state: 'missing' }),
    ];
    const { markdown, findings, plots } = fig3Section(runs, context, noise);
    // Means of 0.08, 0.12 and 0.1 / (1 + i / 200) over iterations 100..500.
    expect(findings[0]).toBe(
      'Figure 3, faster convergence with weight norm: **confirmed** (mean training L1 over the first quarter: weight norm 3.497e-2, batch norm 5.246e-2, none 4.371e-2; one seed each).',
    );
    expect(findings[1]).toBe(
      "Figure 3, weight norm more accurate than batch norm (both at their paper lr): **confirmed** (Set5 +0.80, higher; B100 +0.80, higher; one seed, noise from Table 1's 1-block seeds, another model).",
    );
    expect(findings[3]).toMatch(
      /^Figure 3, batch norm unstable at validation: \*\*confirmed\*\* \(largest drop between validations: batch norm 0\.\d\d dB, weight norm 0\.00 dB/,
    );
    expect(findings[4]).toBe(
      "Figure 3, batch norm, lr 1e-3 (above the paper's maximum convergent 1e-4): **diverged** at iteration 120 (loss exploded: 2.00e+0 at iteration 120), consistent with the paper.",
    );
    expect(findings[5]).toBe("Figure 3, no normalization, lr 1e-3 (above the paper's maximum convergent 1e-4): **not measured yet** (missing (not run yet)).");
    expect(markdown).toContain('| no normalization, lr 1e-3 | missing (not run yet) | — | — | — | — | — |');
    expect(markdown).toMatch(/\| batch norm, lr 1e-3 \| diverged at iteration 120: loss exploded: 2\.00e\+0 at iteration 120 \| — \| — \| — \| — \| — \|/);
    expect(plots.find((p) => p.file === 'fig3-loss.svg')!.svg).toContain('data-name="batch norm, lr 1e-3 (diverged)"');
    // The diverged run's last score (28.57 dB) lies below bicubic - 2 dB; the axis still reaches it.
    const lowestTick = Number(plots.find((p) => p.file === 'fig3-val-psnr.svg')!.svg.match(/class="y-tick"[^>]*>([^<]*)</)![1]);
    expect(lowestTick).toBeLessThanOrEqual(28.57 - 0.5);
  });

  it('does not call a run that survived lr 1e-3 diverged', () => {
    const runs = [
      run(noneHigh!, { state: 'finished', iteration: ITERATIONS }, log(ITERATIONS, 0.1, 35.1), 35.1),
      run(none!, { state: 'finished', iteration: ITERATIONS }, log(ITERATIONS, 0.1, 35.6), 35.6),
    ];
    expect(fig3Section(runs, context, noise).findings).toEqual([
      "Figure 3, no normalization, lr 1e-3 (above the paper's maximum convergent 1e-4): **did not diverge** within 2,000 iterations; Set5 35.10 dB vs 35.60 dB at lr 1e-4.",
    ]);
  });
});

describe('pairedDirection', () => {
  it.each([
    { name: 'consistent gains beyond their standard error', d: [0.3, 0.28, 0.32], std: undefined, expected: 'higher' },
    { name: 'consistent losses', d: [-0.3, -0.28, -0.32], std: undefined, expected: 'lower' },
    { name: 'a large mean with one seed disagreeing', d: [0.9, 0.8, -0.01], std: undefined, expected: 'within noise' },
    { name: 'a spread as large as the mean', d: [0.05, 0.3, 0.01], std: undefined, expected: 'within noise' },
    { name: 'one pair beyond 2 sqrt(2) single-run stds', d: [0.2], std: 0.05, expected: 'higher' },
    { name: 'one pair inside that', d: [0.1], std: 0.05, expected: 'within noise' },
    { name: 'one pair with no noise measured', d: [0.5], std: undefined, expected: 'noise unknown' },
  ] as const)('$name: $expected', ({ d, std, expected }) => {
    expect(pairedDirection(d, std)).toBe(expected);
  });

  it('pools variances of the groups with two or more values', () => {
    expect(sampleStd([1, 2, 3])).toBe(1);
    expect(pooledStd([[1, 2, 3], [5, 5], [7]])).toBeCloseTo(Math.sqrt(0.5), 12);
    expect(pooledStd([[1], []])).toBeUndefined();
  });

  it('takes the median of odd and even counts, unmoved by one stall', () => {
    expect(median([0.6, 9, 0.5])).toBe(0.6);
    expect(median([0.4, 0.6, 0.5, 9])).toBeCloseTo(0.55, 12);
    expect(median([])).toBeNaN();
  });
});

describe('DivergenceMonitor', () => {
  it('ignores a spike the run recovers from, but not a loss that stays 10x its best', () => {
    const monitor = new DivergenceMonitor();
    const losses = [0.3, 0.1, 0.05, 0.6, 0.7, 0.04, 0.6, 0.8];
    expect(losses.map((loss, i) => monitor.observe(train(10 * (i + 1), loss)))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(monitor.observe(train(90, 0.9))).toBe('loss exploded: 9.00e-1 at iteration 90, over 10x its best interval mean (4.00e-2) for 3 log intervals');
  });

  it('flags a non-finite loss at once, and remembers the best of records fed before a resume', () => {
    expect(new DivergenceMonitor().observe(train(10, Number.POSITIVE_INFINITY))).toBe('loss became Infinity by iteration 10');
    const resumed = new DivergenceMonitor({ factor: 10, patience: 1 });
    resumed.observe(train(10, 0.01));
    expect(resumed.observe(val(10, 30))).toBeUndefined();
    expect(resumed.observe(train(20, 0.2))).toMatch(/^loss exploded: 2\.00e-1 at iteration 20/);
  });
});

describe('status text', () => {
  it('describes each state and counts a group', () => {
    expect(describeStatus({ state: 'partial', iteration: 1250 }, 2000)).toBe('partial: 1,250 of 2,000 iterations logged');
    expect(describeStatus({ state: 'diverged', iteration: 4, reason: 'loss became NaN by iteration 4' }, 2000)).toBe(
      'diverged at iteration 4: loss became NaN by iteration 4',
    );
    expect(statusCounts([{ state: 'finished', iteration: 1 }, { state: 'missing' }, { state: 'missing' }])).toBe('1/3 finished, 2 missing');
  });
});
