import type { Normalization } from '../archs/graph';
import type { Point } from '../reports/plot/line-chart';
import { finalPsnr, type RunSummary } from './collect';
import { compareRuns, formatDifference, verdict } from './comparison';
import { formatPsnr, markdownTable } from './markdown';
import { lossPlot, validationPlot, type ReportPlot } from './report-plots';
import type { ReportContext, SectionResult } from './report-section';
import { mean } from './stats';
import type { Fig3Experiment } from './suites';
import { describeStatus } from './status-text';

type Fig3Run = RunSummary<Fig3Experiment>;

/**
 * Batch norm's validation counts as unstable (the paper's Figure 3 observation) when its
 * largest drop between consecutive validations is at least twice weight norm's and at
 * least 0.1 dB, a step Set5 PSNR does not take by chance between two nearby checkpoints of a settled run.
 */
const INSTABILITY_RATIO = 2;
const INSTABILITY_MIN_DB = 0.1;

/**
 * The Figure 3 section: one model trained with weight norm, batch norm and no
 * normalization; loss and validation curves, convergence speed (mean loss over the first
 * quarter), final accuracy, validation stability and whether lr 1e-3 diverges without weight norm.
 */
export function fig3Section(runs: readonly Fig3Run[], context: ReportContext, noise: ReadonlyMap<string, number | undefined>): SectionResult {
  const { iterations } = context;
  const find = (normalization: Normalization, lr: number) => runs.find((r) => r.experiment.normalization === normalization && r.experiment.lr === lr);
  const earlyLoss = (run: Fig3Run) => meanLoss(run.curves.loss, (i) => i <= iterations / 4, iterations / 4);
  const lateLoss = (run: Fig3Run) => (run.status.state === 'finished' ? meanLoss(run.curves.loss, (i) => i > 0.9 * iterations, iterations) : undefined);

  const rows = runs.map((run) => [
    run.experiment.label,
    describeStatus(run.status, iterations),
    optional(earlyLoss(run), (v) => v.toExponential(3)),
    optional(lateLoss(run), (v) => v.toExponential(3)),
    ...context.sets.map((set) => optional(finalPsnr(run, set), formatPsnr)),
    optional(largestDrop(run.curves.psnr), (v) => v.toFixed(2)),
  ]);

  const findings: string[] = [];
  const [wn, bn, none] = [find('weight', 1e-3), find('batch', 1e-4), find('none', 1e-4)];
  if (wn !== undefined && bn !== undefined && none !== undefined) {
    const early = [wn, bn, none].map(earlyLoss);
    findings.push(
      early.every((v) => v !== undefined)
        ? `Figure 3, faster convergence with weight norm: **${early[0]! < Math.min(early[1]!, early[2]!) ? 'confirmed' : 'not confirmed'}** (mean training L1 over the first quarter: weight norm ${early[0]!.toExponential(3)}, batch norm ${early[1]!.toExponential(3)}, none ${early[2]!.toExponential(3)}; one seed each).`
        : 'Figure 3, faster convergence with weight norm: **not measured yet** (a run has not logged its first quarter).',
    );
    for (const [other, name] of [
      [bn, 'batch norm'],
      [none, 'no normalization'],
    ] as const) {
      const differences = compareRuns([wn], [other], context.sets, noise);
      findings.push(
        `Figure 3, weight norm more accurate than ${name} (both at their paper lr): **${verdict('higher', differences)}** (${differences.map((d) => `${d.set} ${formatDifference(d)}`).join('; ')}; one seed, noise from Table 1's 1-block seeds, another model).`,
      );
    }
    findings.push(stabilityFinding(wn, bn));
  }
  for (const normalization of ['batch', 'none'] as const) {
    const run = find(normalization, 1e-3);
    if (run !== undefined) findings.push(divergenceFinding(run, find(normalization, 1e-4), context.valBicubic.set, iterations));
  }

  const plotted = runs.map((r) => ({ name: r.experiment.label, summary: r }));
  const plots = [
    lossPlot('fig3-loss.svg', 'Figure 3: training L1 loss by normalization', plotted),
    validationPlot('fig3-val-psnr.svg', 'Figure 3: validation PSNR by normalization', plotted, context.valBicubic, iterations),
  ].filter((p): p is ReportPlot => p !== undefined);
  const model = runs[0]?.experiment.config.arch;
  const markdown = [
    '## Figure 3: weight norm vs batch norm vs no normalization',
    `One model${model === undefined ? '' : ` (WDSR-B x2, ${model.nFeats}-channel identity path, ${model.nBlocks} blocks, expansion 6, low rank 0.8: the architecture this project ships)`} trained with weight normalization at lr 1e-3, and with batch normalization and without normalization at the paper's 1e-4; both of those again at 1e-3, where the paper implies they do not converge. Same data, seed and schedule; one seed each. Batch norm sits inside the residual blocks only, as in the official code; validation runs it on its moving statistics, as inference does.`,
    `The paper shows these curves without numbers, so the comparison is with its statements: weight norm converges faster and ends more accurate, and batch norm's validation PSNR is unstable. "Largest validation drop" is the largest fall of ${context.valBicubic.set} PSNR between consecutive validations after iteration 0.`,
    markdownTable(
      ['Run', 'Status', 'Mean train L1, first quarter', 'Mean train L1, last tenth', ...context.sets.map((s) => `${s} Y-PSNR`), 'Largest validation drop (dB)'],
      rows,
    ),
    ...plots.map((p) => `![${p.title}](${context.plotLink(p.file)})`),
  ].join('\n\n');
  return { markdown, plots, findings };
}

/** Mean of the loss points whose iteration passes `keep`, once the log reaches `needed`; else undefined. */
function meanLoss(loss: readonly Point[], keep: (iteration: number) => boolean, needed: number): number | undefined {
  if ((loss.at(-1)?.[0] ?? 0) < needed) return undefined;
  const kept = loss.filter(([iteration]) => keep(iteration)).map(([, value]) => value);
  return kept.length === 0 ? undefined : mean(kept);
}

/** The largest fall between consecutive validations after the untrained one (0 when it never fell); undefined with fewer than two. */
function largestDrop(psnr: readonly Point[]): number | undefined {
  const trained = psnr.filter(([iteration]) => iteration > 0).map(([, value]) => value);
  if (trained.length < 2) return undefined;
  return Math.max(0, ...trained.slice(1).map((value, i) => trained[i]! - value));
}

function stabilityFinding(wn: Fig3Run, bn: Fig3Run): string {
  const [wnDrop, bnDrop] = [largestDrop(wn.curves.psnr), largestDrop(bn.curves.psnr)];
  const claim = 'Figure 3, batch norm unstable at validation';
  if (wnDrop === undefined || bnDrop === undefined || bn.status.state !== 'finished' || wn.status.state !== 'finished')
    return `${claim}: **not measured yet**.`;
  const unstable = bnDrop >= INSTABILITY_RATIO * wnDrop && bnDrop >= INSTABILITY_MIN_DB;
  return `${claim}: **${unstable ? 'confirmed' : 'not observed'}** (largest drop between validations: batch norm ${bnDrop.toFixed(2)} dB, weight norm ${wnDrop.toFixed(2)} dB; rule: at least ${INSTABILITY_RATIO}x weight norm's and ${INSTABILITY_MIN_DB} dB).`;
}

function divergenceFinding(run: Fig3Run, atPaperLr: Fig3Run | undefined, valSet: string, iterations: number): string {
  const claim = `Figure 3, ${run.experiment.label} (above the paper's maximum convergent 1e-4)`;
  const { status } = run;
  if (status.state === 'diverged')
    return `${claim}: **diverged** at iteration ${status.iteration.toLocaleString('en-US')} (${status.reason}), consistent with the paper.`;
  if (status.state !== 'finished') return `${claim}: **not measured yet** (${describeStatus(status, iterations)}).`;
  const [here, there] = [finalPsnr(run, valSet), atPaperLr === undefined ? undefined : finalPsnr(atPaperLr, valSet)];
  const comparison = here === undefined ? '' : `; ${valSet} ${formatPsnr(here)} dB${there === undefined ? '' : ` vs ${formatPsnr(there)} dB at lr 1e-4`}`;
  return `${claim}: **did not diverge** within ${iterations.toLocaleString('en-US')} iterations${comparison}.`;
}

function optional(value: number | undefined, format: (v: number) => string): string {
  return value === undefined ? '—' : format(value);
}
