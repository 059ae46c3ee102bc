import { buildArch, countParameters } from '../archs/index';
import { finalPsnr, type RunSummary } from './collect';
import { compareRuns, formatDifference, verdict, type Claim } from './comparison';
import { formatDelta, formatMeanStd, formatPsnr, markdownTable } from './markdown';
import { PAPER_TABLE1, type PaperNetwork } from './paper';
import { lossPlot, validationPlot, type ReportPlot } from './report-plots';
import type { ReportContext, SectionResult } from './report-section';
import { mean, pooledStd, sampleStd } from './stats';
import { table1Arch, type Table1Experiment, type Table1Network } from './suites';
import { describeStatus, statusCounts } from './status-text';

type Table1Run = RunSummary<Table1Experiment>;

interface Comparison {
  readonly blocks: 1 | 3;
  readonly a: Table1Network;
  readonly b: Table1Network;
  readonly claim: Claim;
}

/** The paper's three comparisons at each depth, then what the EDSR+WN control separates (width vs learning rate). */
const COMPARISONS: readonly Comparison[] = [
  ...([1, 3] as const).flatMap((blocks): Comparison[] => [
    { blocks, a: 'WDSR-A', b: 'EDSR', claim: 'higher' },
    { blocks, a: 'WDSR-B', b: 'EDSR', claim: 'higher' },
    { blocks, a: 'WDSR-B', b: 'WDSR-A', claim: 'not lower' },
  ]),
  { blocks: 1, a: 'EDSR+WN', b: 'EDSR', claim: 'none' },
  { blocks: 1, a: 'WDSR-A', b: 'EDSR+WN', claim: 'none' },
  { blocks: 1, a: 'WDSR-B', b: 'EDSR+WN', claim: 'none' },
];

const paperPsnr = (network: Table1Network, blocks: 1 | 3): number | undefined =>
  network === 'EDSR+WN' ? undefined : PAPER_TABLE1[blocks][network as PaperNetwork].psnr;

/**
 * The Table 1 section: exact parameter counts, our Y-PSNR next to the paper's, paired
 * differences judged against the seed noise of the 1-block row, per-run results and curves.
 * Also returns that seed noise, the yardstick for the single-seed Figure 3 comparisons.
 */
export function table1Section(runs: readonly Table1Run[], context: ReportContext): SectionResult & { noise: ReadonlyMap<string, number | undefined> } {
  const cell = (network: Table1Network, blocks: 1 | 3) => runs.filter((r) => r.experiment.network === network && r.experiment.blocks === blocks);
  const cells = [
    ...new Map(runs.map((r) => [`${r.experiment.network}/${r.experiment.blocks}`, [r.experiment.network, r.experiment.blocks] as const])).values(),
  ];
  const noise = new Map(context.sets.map((set) => [set, pooledStd((['EDSR', 'WDSR-A', 'WDSR-B'] as const).map((n) => values(cell(n, 1), set)))]));

  const resultRows = cells.map(([network, blocks]) => {
    const group = cell(network, blocks);
    const paper = paperPsnr(network, blocks);
    return [
      String(blocks),
      network === 'EDSR+WN' ? 'EDSR+WN (control)' : network,
      countParameters(buildArch(table1Arch(network, blocks))).toLocaleString('en-US'),
      network === 'EDSR+WN' ? '—' : PAPER_TABLE1[blocks][network as PaperNetwork].params,
      paper === undefined ? '—' : paper.toFixed(3),
      ...context.sets.map((set) => summarize(values(group, set))),
      statusCounts(group.map((r) => r.status)),
    ];
  });
  const bicubicRow = ['—', 'bicubic', '0', '—', '—', ...context.sets.map((set) => formatPsnr(context.bicubic.get(set)!)), 'measured'];

  const findings: string[] = [];
  const differenceRows = COMPARISONS.filter((c) => cell(c.a, c.blocks).length > 0 && cell(c.b, c.blocks).length > 0).map((c) => {
    const differences = compareRuns(cell(c.a, c.blocks), cell(c.b, c.blocks), context.sets, noise);
    const [paperA, paperB] = [paperPsnr(c.a, c.blocks), paperPsnr(c.b, c.blocks)];
    const paper = paperA === undefined || paperB === undefined ? '—' : formatDelta(paperA - paperB, 3);
    // A comparison left without pairs because a run diverged will never be measured; say so rather than "yet".
    const diverged = [...cell(c.a, c.blocks), ...cell(c.b, c.blocks)].filter((r) => r.status.state === 'diverged');
    const unmeasured = differences.some((d) => d.direction === undefined);
    const judged =
      unmeasured && diverged.length > 0 ? `not measured: ${diverged.map((r) => r.experiment.label).join('; ')} diverged` : verdict(c.claim, differences);
    const name = `${c.a} − ${c.b}, ${c.blocks} block${c.blocks === 1 ? '' : 's'}`;
    if (c.claim !== 'none')
      findings.push(
        `Table 1, ${name}: **${judged}** (ours ${differences.map((d) => `${d.set} ${formatDifference(d)}`).join('; ')}; paper ${paper} dB on DIV2K).`,
      );
    return [name, paper, ...differences.map(formatDifference), judged];
  });

  const runRows = runs.map((r) => [
    r.experiment.label,
    describeStatus(r.status, r.experiment.config.train.iterations),
    ...context.sets.map((set) => optionalPsnr(finalPsnr(r, set))),
  ]);
  const seedOne = (blocks: 1 | 3) =>
    runs
      .filter((r) => r.experiment.blocks === blocks && r.experiment.seed === 1)
      .map((r) => ({ name: r.experiment.network === 'EDSR+WN' ? 'EDSR+WN (control)' : r.experiment.network, summary: r }));
  const plots = [
    validationPlot('table1-val-psnr-1block.svg', 'Table 1, 1 block (seed 1): validation PSNR', seedOne(1), context.valBicubic, context.iterations),
    lossPlot('table1-loss-1block.svg', 'Table 1, 1 block (seed 1): training L1 loss', seedOne(1)),
    validationPlot('table1-val-psnr-3blocks.svg', 'Table 1, 3 blocks: validation PSNR', seedOne(3), context.valBicubic, context.iterations),
    lossPlot('table1-loss-3blocks.svg', 'Table 1, 3 blocks: training L1 loss', seedOne(3)),
  ].filter((p): p is ReportPlot => p !== undefined);

  const noiseText = context.sets.map((set) => `${set} ${noise.get(set) === undefined ? 'not measured yet' : `${noise.get(set)!.toFixed(3)} dB`}`).join(', ');
  const markdown = [
    '## Table 1: wide activation at equal parameters (x2)',
    "EDSR (64 channels, no normalization, lr 1e-4), WDSR-A (32-channel identity path, 128 wide before the ReLU) and WDSR-B (64-channel identity path, expansion 6, low rank 0.8), both with weight normalization at lr 1e-3: the paper's widths and learning rates. EDSR+WN is our control, not in the paper: EDSR with the WDSR runs' weight norm and lr, to tell how much of a gap comes from width and how much from the learning rate at this short budget. Parameter counts are exact (`countParameters`, weight-norm gains included); the paper prints them rounded.",
    `The paper reports RGB PSNR on the 100 DIV2K validation images; we report Y-PSNR on ${context.sets.join(' and ')} (${context.valBicubic.set} is every run's validation set; shave = scale, MATLAB bicubic LR: the protocol of \`npm run eval\`). Absolute values are therefore not comparable with the paper's; the differences between networks are what we test. Cells give the mean ± sample std over seeds where there are several.`,
    markdownTable(
      ['Blocks', 'Network', 'Params (exact)', 'Params (paper)', 'Paper PSNR (DIV2K val, RGB)', ...context.sets.map((s) => `${s} Y-PSNR`), 'Runs'],
      [...resultRows, bicubicRow],
    ),
    '### Differences and verdicts',
    `A difference counts as real ("higher"/"lower") when every seed agrees in sign and the mean exceeds twice its standard error; with a single seed (3 blocks, control) it must exceed 2·√2 times the 1-block row's seed-to-seed std (pooled over the three networks: ${noiseText}).`,
    markdownTable(['Comparison', 'Paper Δ (dB)', ...context.sets.map((s) => `Ours Δ ${s} (dB)`), 'Verdict'], differenceRows),
    '### Every run',
    markdownTable(['Run', 'Status', ...context.sets.map((s) => `${s} Y-PSNR`)], runRows),
    ...plots.map((p) => `![${p.title}](${context.plotLink(p.file)})`),
  ].join('\n\n');
  return { markdown, plots, findings, noise };
}

function values(group: readonly Table1Run[], set: string): number[] {
  return group.map((r) => finalPsnr(r, set)).filter((v): v is number => v !== undefined);
}

function summarize(psnrs: readonly number[]): string {
  return psnrs.length === 0 ? 'not measured' : formatMeanStd(mean(psnrs), sampleStd(psnrs), psnrs.length);
}

function optionalPsnr(value: number | undefined): string {
  return value === undefined ? '—' : formatPsnr(value);
}
