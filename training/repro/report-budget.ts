import type { ExperimentConfig } from '../config/experiment';
import { setName } from '../metrics/evaluate';
import { PAPER_ADAM } from '../loop/adam';
import type { RunSummary } from './collect';
import type { RunRoots } from './run-record';
import { formatDuration } from '../loop/throughput';
import { markdownTable } from './markdown';
import { PAPER_SETUP } from './paper';
import { BASE_CONFIG_PATH, TABLE1_SEEDS } from './suites';
import { describeStatus } from './status-text';

/** The budget every run shares, next to the paper's setup. */
export function budgetSection(base: ExperimentConfig, evalSets: readonly string[]): string {
  const t = base.train;
  const count = (n: number) => n.toLocaleString('en-US');
  const lrPatch = base.data.hrPatchSize / base.arch.scale;
  const rows = [
    ['Training data', `${base.data.train.map(setName).join(' + ')} (HR, bicubic x${base.arch.scale} LR)`, PAPER_SETUP.data],
    ['Patch', `${base.data.hrPatchSize}x${base.data.hrPatchSize} HR (${lrPatch}x${lrPatch} LR)`, PAPER_SETUP.patch],
    ['Batch', String(t.batchSize), PAPER_SETUP.batch],
    ['Iterations', count(t.iterations), 'not stated'],
    ['Learning rate', '1e-3 with weight norm, 1e-4 without (Figure 3 also 1e-3 without)', PAPER_SETUP.lr],
    ['Schedule', t.lrHalvingSteps.length === 0 ? 'constant' : `halved after iterations ${t.lrHalvingSteps.map(count).join(' and ')}`, PAPER_SETUP.schedule],
    ['Optimizer', `Adam (beta1 ${PAPER_ADAM.beta1}, beta2 ${PAPER_ADAM.beta2}, eps ${PAPER_ADAM.epsilon})`, PAPER_SETUP.optimizer],
    ['Validation', `${setName(base.data.val)} every ${count(t.validateEvery)} iterations`, '10 DIV2K validation images'],
    ['Final scores', `Y-PSNR on ${evalSets.join(' and ')}, shave ${base.arch.scale}`, PAPER_SETUP.metric],
    ['Seeds', `Table 1 1-block row: ${TABLE1_SEEDS.join(', ')}; every other run: 1`, 'not stated'],
    ['Hardware', `CPU, tfjs ${t.backend} backend (speeds below)`, 'not stated'],
  ];
  return [
    '## Budget',
    `Every run shares \`${BASE_CONFIG_PATH}\` (run name of the budget: \`${base.name}\`); an experiment changes only the architecture, learning rate and seed, so data, patches, batches, iterations and schedule are identical by construction. The budget is sized for a few CPU hours for the whole suite on this project's machine (what each run took is under Runs and compute), at the cost of far fewer and smaller training steps than the paper's.`,
    markdownTable(['', 'Ours', 'Paper'], rows),
    ...(base.description === undefined ? [] : [`How it was sized, from the budget's description (measured before training):\n\n> ${base.description}`]),
  ].join('\n\n');
}

/** Every run with its state and the compute it took, as the runner measured it. */
export function runsSection(suites: readonly { readonly name: string; readonly runs: readonly RunSummary[] }[], roots: RunRoots): string {
  const rows = suites.flatMap(({ name, runs }) =>
    runs.map((r) => [
      name,
      `\`${r.experiment.config.name}\``,
      describeStatus(r.status, r.experiment.config.train.iterations),
      r.sessions.length === 0 ? '—' : formatDuration(r.cpuSec),
      r.sessions.length === 0 ? '—' : formatDuration(r.wallSec),
      r.iterationsPerCpuSecond === undefined ? '—' : r.iterationsPerCpuSecond.toFixed(2),
    ]),
  );
  const totals = suites.map(({ name, runs }) => {
    const cpu = runs.reduce((sum, r) => sum + r.cpuSec, 0);
    const finished = runs.filter((r) => r.status.state === 'finished').length;
    return `${name}: ${finished}/${runs.length} finished, ${cpu > 0 ? `${formatDuration(cpu)} CPU time measured` : 'no CPU time measured yet'}`;
  });
  const cpuModels = [...new Set(suites.flatMap((s) => s.runs.flatMap((r) => r.sessions.map((x) => x.cpuModel))))];
  return [
    '## Runs and compute',
    `Finished and diverged runs are read from their committed records under \`${roots.recordRoot}\`, the others from their run directories under \`${roots.runRoot}\` (git-ignored). CPU time is the training process's (user + system) over the sessions the runner recorded, periodic validation included, the final scoring on the evaluation sets not; a session killed outright (SIGKILL) records none. Wall time includes waiting for the CPU, which the machine shares with other jobs. Speed: training iterations per CPU-second.${cpuModels.length === 0 ? '' : ` Measured on: ${cpuModels.join('; ')}.`}`,
    totals.map((t) => `- ${t}`).join('\n'),
    markdownTable(['Suite', 'Run', 'Status', 'CPU time', 'Wall time', 'it / CPU-s'], rows),
  ].join('\n\n');
}
