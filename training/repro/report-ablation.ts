import { buildArch, countParameters, macsPerLrPixel, withoutReparam } from '../archs/index';
import type { ArchConfig } from '../archs/config';
import { setName } from '../metrics/evaluate';
import { ABLATION_BASE_PATH, ablationExperiments, LARGE_PATCH, type AblationExperiment, type AblationSuite } from './ablation';
import { PAGE_DEFAULTS } from './args';
import { finalPsnr, summarizeRuns, type RunSummary } from './collect';
import { formatDelta, markdownTable } from './markdown';
import { runsSection } from './report-budget';
import { displayPath, writeReportPage } from './report-files';
import { validationPlot, type ReportPlot } from './report-plots';
import { reportContext, type ReportContext } from './report-section';
import type { RunRoots } from './run-record';
import { describeStatus, stateLine } from './status-text';

type AblationRun = RunSummary<AblationExperiment>;

/**
 * The smallest difference from `plain`, on every evaluation set alike, that the page reads as
 * an effect. Each arm is one seed, so differences carry the seed-to-seed spread, which
 * docs/reproduction.md measured at a few hundredths of a dB on Set5 after 1,000 iterations
 * (other networks); smaller differences are reported, not read.
 */
const CLEAR_DIFFERENCE_DB = 0.05;

/**
 * The cost of the graph `npm run export` writes for an arch, the plain one a reparam arch
 * collapses into, and how many parameters the arch trains (more than it exports under reparam).
 */
export function exportedCost(arch: ArchConfig): { readonly parameters: number; readonly macsPerLrPixel: number; readonly trainedParameters: number } {
  const graph = buildArch(withoutReparam(arch));
  return { parameters: countParameters(graph), macsPerLrPixel: macsPerLrPixel(graph), trainedParameters: countParameters(buildArch(arch)) };
}

/** What the page's commands and its runs section say about where things are: repository-relative paths. */
export interface AblationPageOptions {
  /** Flags every printed command carries after the budget (`--run-root`, `--report` where not the defaults), with a leading space; '' for none. */
  readonly flags: string;
  readonly roots: RunRoots;
}

/**
 * The ablation page: per arm, the final checkpoint's Y-PSNR on the evaluation sets and its
 * difference from `plain`, the wall time per training step and the load it ran under, the
 * exported graph's parameters and multiply-adds per LR pixel (checked against the served
 * 16/8 graph's, the cost rule of issue #20), and the command that trains it; then what
 * helps and what does not, the validation curves, the budget, and the runs' compute.
 */
export function ablationPage(
  suite: AblationSuite,
  runs: readonly AblationRun[],
  context: ReportContext,
  options: AblationPageOptions,
): { markdown: string; plots: ReportPlot[] } {
  const { base } = suite;
  const { sets } = context;
  const iterations = base.train.iterations;
  const count = (n: number) => n.toLocaleString('en-US');
  const command = (arm?: string) => `npm run repro -- ablation${arm === undefined ? '' : ` --arm ${arm}`} --iterations ${iterations}${options.flags}`;
  const reportCommand = `npm run repro -- report ablation --iterations ${iterations}${options.flags}`;
  const served = exportedCost(base.arch);
  const plain = runs.find((r) => r.experiment.arm === 'plain');
  const deltas = (run: AblationRun): number[] | undefined => {
    const values = sets.map((set) => {
      const [a, b] = [finalPsnr(run, set), plain === undefined ? undefined : finalPsnr(plain, set)];
      return a === undefined || b === undefined ? undefined : a - b;
    });
    return values.every((v) => v !== undefined) ? values : undefined;
  };
  const reading = (run: AblationRun): string => {
    const d = deltas(run);
    if (run === plain || d === undefined) return '—';
    if (d.every((v) => v >= CLEAR_DIFFERENCE_DB)) return 'helps';
    if (d.every((v) => v <= -CLEAR_DIFFERENCE_DB)) return 'hurts';
    return 'no clear effect';
  };
  const time = (run: AblationRun) =>
    run.secondsPerIteration === undefined
      ? '—'
      : `${run.secondsPerIteration.toFixed(2)} s (load ${run.loadAverage === undefined ? 'not recorded' : run.loadAverage.toFixed(1)})`;

  const rows = runs.map((run) => {
    const cost = exportedCost(run.experiment.config.arch);
    const d = deltas(run);
    return [
      `\`${run.experiment.arm}\``,
      run.experiment.lever,
      describeStatus(run.status, iterations),
      ...sets.map((set) => optional(finalPsnr(run, set), (v) => v.toFixed(3))),
      run === plain || d === undefined ? '—' : d.map((v) => formatDelta(v, 3)).join(' / '),
      reading(run),
      time(run),
      `${count(cost.parameters)}${cost.trainedParameters === cost.parameters ? '' : ` (trains ${count(cost.trainedParameters)})`}`,
      `${count(cost.macsPerLrPixel)}${cost.macsPerLrPixel > served.macsPerLrPixel ? ' (over the served cost)' : ''}`,
      `\`${command(run.experiment.arm)}\``,
    ];
  });
  const bicubicRow = [
    'bicubic',
    'no network',
    'measured',
    ...sets.map((set) => context.bicubic.get(set)!.toFixed(3)),
    '—',
    '—',
    '—',
    '0',
    '0',
    `\`${reportCommand}\``,
  ];
  const header = [
    'Arm',
    'Lever: what differs from `plain`',
    'Status',
    ...sets.map((set) => `${set} Y-PSNR (dB)`),
    `Δ vs plain, ${sets.join(' / ')} (dB)`,
    'Reading (one seed)',
    'Wall time per iteration (load average)',
    'Exported parameters',
    'MACs per LR pixel',
    'Command',
  ];

  const sessions = runs.flatMap((r) => r.sessions);
  const cpuModels = [...new Set(sessions.map((s) => s.cpuModel))];
  const cores = [...new Set(runs.flatMap((r) => (r.cores === undefined ? [] : [r.cores])))];
  const machine =
    sessions.length === 0
      ? 'No run has trained yet, so no time is measured.'
      : `Times were measured on a shared machine (${cpuModels.join('; ')}, ${cores.length === 0 ? 'cores not recorded' : `${cores.join(' or ')} logical cores`}) while other training jobs ran on it: they are wall seconds per training step, the median over the run's logged records of the trainer's moving mean over its latest 50 steps (validation, checkpoints and loading data excluded; the median, so that a stall of the shared machine does not move it), next to the machine's 1-minute load average meaned over the same records. A higher load slows a step, so compare times between arms at similar loads only.`;
  const over = runs.filter((r) => exportedCost(r.experiment.config.arch).macsPerLrPixel > served.macsPerLrPixel).map((r) => `\`${r.experiment.arm}\``);

  const findings = runs
    .filter((r) => r !== plain)
    .map((run) => {
      const d = deltas(run);
      const arm = `**${run.experiment.arm}**`;
      if (run.status.state !== 'finished') return `${arm}: not measured yet: ${describeStatus(run.status, iterations)}.`;
      if (d === undefined) return `${arm}: not compared yet: \`plain\` has not finished.`;
      const ratio =
        run.secondsPerIteration !== undefined && plain?.secondsPerIteration !== undefined
          ? `; ${(run.secondsPerIteration / plain.secondsPerIteration).toFixed(2)}x plain's wall time per iteration (loads ${optional(run.loadAverage, (v) => v.toFixed(1))} and ${optional(plain.loadAverage, (v) => v.toFixed(1))})`
          : '';
      return `${arm}: ${reading(run)} (${sets.map((set, i) => `${set} ${formatDelta(d[i]!, 3)}`).join(', ')} dB vs plain)${ratio}.`;
    });

  const plot = validationPlot(
    'ablation-val-psnr.svg',
    `Ablation, ${count(iterations)} iterations per arm: validation PSNR`,
    runs.map((summary) => ({ name: summary.experiment.arm, summary })),
    context.valBicubic,
    iterations,
  );
  const plots = plot === undefined ? [] : [plot];
  const t = base.train;
  const markdown = [
    '# Ablation: the levers of the served x2 model at a fixed budget (issue #20)',
    `Each lever of issue #20 pulled alone on the served x2 size, every arm trained for the same **${count(iterations)} iterations** from the same seed: the table's budget. Generated by \`${reportCommand}\` (\`npm run repro\`, training/repro/) from the runs it names; a run that has not finished contributes no number. At ${count(iterations)} iterations the networks are far from converged (the served model trained for tens of thousands), so the table shows what each lever does early in training, not where it ends.`,
    stateLine(runs),
    `## The table (${count(iterations)} iterations per arm)`,
    `Y-PSNR of each arm's final checkpoint on ${sets.join(' and ')}: MATLAB-bicubic LR, ${base.arch.scale} pixels shaved, outputs rounded to 8 bits (\`npm run eval\`'s protocol, the published one). Δ is the arm minus \`plain\`. "Helps" or "hurts" needs a difference of at least ${CLEAR_DIFFERENCE_DB} dB in the same direction on every set: each arm is one seed, and docs/reproduction.md measured seed-to-seed spreads of a few hundredths of a dB at a similar budget. Parameters and MACs (multiply-adds) per LR pixel are the exported graph's (\`countParameters\` with weight-norm gains, \`macsPerLrPixel\`, training/archs/index.ts): a reparam network is counted as the plain graph its blocks collapse into at export, with what it trains in brackets.`,
    markdownTable(header, [...rows, bicubicRow]),
    `The cost rule of issue #20: a served model's exported graph may have at most the MACs per LR pixel of the served 16/8 one, ${count(served.macsPerLrPixel)} (${count(served.parameters)} parameters). ${over.length === 0 ? 'Every arm is within it: each exports the served graph.' : `Over it: ${over.join(', ')}.`}`,
    machine,
    '## What helps, and what does not',
    findings.length === 0 ? '- Nothing measured yet.' : findings.map((f) => `- ${f}`).join('\n'),
    ...(plot === undefined ? [] : [`![${plot.title}](${context.plotLink(plot.file)})`]),
    '## Budget',
    `Every arm is \`${ABLATION_BASE_PATH}\` (run name of the budget: \`${base.name}\`; it extends the served x2 config, training/configs/wdsr_b_x2_f16b8.json) with one lever pulled (training/repro/ablation.ts): a test checks that each arm's config differs from \`plain\`'s in that lever alone.`,
    markdownTable(
      ['Setting', 'Every arm, but for its lever'],
      [
        ['Network', `WDSR-B x${base.arch.scale}, n_feats ${base.arch.nFeats}, ${base.arch.nBlocks} blocks${archDetails(base.arch)}`],
        [
          'Training data',
          `${base.data.train.map(setName).join(' + ')} (HR, bicubic x${base.arch.scale} LR), batch ${t.batchSize}, ${base.data.hrPatchSize}x${base.data.hrPatchSize} HR patches, the 8 flips/rotations`,
        ],
        ['Iterations', `${count(iterations)} per arm`],
        [
          'Learning rate',
          `Adam, ${t.lrHalvingSteps.length === 0 ? 'constant' : `halved after ${t.lrHalvingSteps.map(count).join(', ')}`} ${t.lr.toExponential()}`,
        ],
        ['Seed', `${t.seed} for every arm: the same initialization where the networks agree, and the same data stream`],
        ['Validation', `${setName(base.data.val)} every ${count(t.validateEvery)} iterations (the curves)`],
        ['Final scores', `the final checkpoint on ${sets.join(' and ')}`],
      ],
    ),
    [
      'What the same seed does and does not hold fixed:',
      '- `no-flips` sees the very crops `plain` sees, untransformed: the sampler draws the flips/rotations either way and then does not apply them.',
      `- \`patch128\` draws larger crops, and leaves out images smaller than ${LARGE_PATCH} pixels on a side (the sampler's rule), so its images and crops differ from \`plain\`'s.`,
      "- `reparam` initializes its collapsible blocks from the same seed, but they are other variables than `plain`'s convs, so it starts from another network (the same graph once exported).",
      "- `distill`'s training loss mixes in the distance to the teacher's output, so its loss curve is not comparable; its scores are.",
    ].join('\n'),
    '## Commands',
    [
      '```sh',
      `${command()}   # train every arm (resumable: rerun to continue; Ctrl-C stops after a checkpoint), then rewrite this page`,
      `${command('cosine')}   # one arm (--arm repeats)`,
      `${reportCommand}   # rewrite this page from the runs as they are (trains nothing)`,
      '```',
    ].join('\n'),
    `A run that finishes is scored and written to \`${options.roots.recordRoot}/<run name>/\` (config, summarized log, final scores, session times; no checkpoints): commit it with this page. A committed record counts as done; delete it to train the arm again. It stops counting when the arm's config changes (its description aside).`,
    runsSection([{ name: 'ablation', runs }], options.roots),
  ].join('\n\n');
  return { markdown, plots };
}

function archDetails(arch: ArchConfig): string {
  return arch.arch === 'wdsr_b'
    ? `, expansion ${arch.expansion}, low rank ${arch.lowRank}, ${arch.normalization === 'weight' ? 'weight norm' : `normalization ${arch.normalization}`}`
    : '';
}

function optional(value: number | undefined, format: (v: number) => string): string {
  return value === undefined ? '—' : format(value);
}

export interface AblationReportOptions extends RunRoots {
  readonly suite: AblationSuite;
  /** The Markdown file to write; its plot goes to a folder of the same name beside it. */
  readonly reportFile: string;
  /** HR folders the final checkpoints are scored on; the runs' validation set must be one of them. */
  readonly evalDirs: readonly string[];
  readonly onProgress?: (message: string) => void;
}

/**
 * Writes the ablation page from the committed records and whatever the run root holds (see
 * summarizeRuns), with the same readers, final scores and writer as the reproduction report.
 * Nothing is trained.
 *
 * @example
 * await writeAblationReport({ suite: await loadAblationSuite(), runRoot: '../runs/ablation', recordRoot: 'docs/ablation/runs', reportFile: 'docs/ablation.md', evalDirs: REPORT_EVAL_DIRS });
 */
export async function writeAblationReport(options: AblationReportOptions): Promise<{ plots: string[] }> {
  const { suite, evalDirs } = options;
  const progress = (name: string) => options.onProgress?.(`scoring the final checkpoint of ${name} (cached after the first time)`);
  const runs = await summarizeRuns(ablationExperiments(suite), options, evalDirs, progress);
  const context = await reportContext({ ...options, base: suite.base });
  const roots = { runRoot: displayPath(options.runRoot), recordRoot: displayPath(options.recordRoot) };
  const defaults = PAGE_DEFAULTS.ablation;
  const flags = [
    ...(roots.runRoot === defaults.runRoot ? [] : [`--run-root ${roots.runRoot}`]),
    ...(displayPath(options.reportFile) === defaults.reportFile ? [] : [`--report ${displayPath(options.reportFile)}`]),
  ];
  const { markdown, plots } = ablationPage(suite, runs, context, { flags: flags.map((f) => ` ${f}`).join(''), roots });
  return { plots: await writeReportPage(options.reportFile, markdown, plots) };
}
