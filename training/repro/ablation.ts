import type { ReparamConfig } from '../archs/config';
import type { DistillConfig, ExperimentConfig } from '../config/experiment';
import { loadExperimentConfig, resolveRepoPath } from '../config/load';
import { validateExperimentConfig } from '../config/validate';
import { runName, type ReproExperiment } from './experiment';
import { loadReproBase } from './suites';

/**
 * The budget every arm of the ablation shares: it extends the served x2 config
 * (training/configs/wdsr_b_x2_f16b8.json: WDSR-B 16/8, its data, batch, seed and patch) with a
 * constant learning rate over a fixed iteration count, the suite's setting (`--iterations`
 * overrides it).
 */
export const ABLATION_BASE_PATH = 'training/configs/ablation/base.json';
/** The configs the reparam and distill arms take their lever from, as the full-length runs of those configs would train it. */
export const REPARAM_CONFIG_PATH = 'training/configs/wdsr_b_x2_f16b8_reparam.json';
export const DISTILL_CONFIG_PATH = 'training/configs/wdsr_b_x2_f16b8_distill.json';

/** The HR patch side of the `patch128` arm (the budget's is 96). */
export const LARGE_PATCH = 128;

/** The arms, `plain` (the budget as it is) first; every other one changes one lever of it. */
export const ABLATION_ARMS = ['plain', 'reparam', 'distill', 'patch128', 'no-flips', 'cosine'] as const;
export type AblationArm = (typeof ABLATION_ARMS)[number];

/** What the arms take from other configs. */
interface AblationLevers {
  readonly reparam: ReparamConfig;
  readonly distill: DistillConfig;
}

/** The ablation's budget (its `plain` arm but for the name) and the levers its arms pull. */
export interface AblationSuite {
  readonly base: ExperimentConfig;
  readonly levers: AblationLevers;
}

export interface AblationExperiment extends ReproExperiment {
  readonly arm: AblationArm;
  /** What the arm changes from `plain`, in words (for `plain`, the settings the others change). */
  readonly lever: string;
}

interface Arm {
  readonly lever: (suite: AblationSuite) => string;
  /** The budget with this arm's lever pulled (validated by the caller). */
  readonly apply: (suite: AblationSuite) => ExperimentConfig;
}

const ARMS: Readonly<Record<AblationArm, Arm>> = {
  plain: {
    lever: ({ base }) =>
      `none: ${base.data.hrPatchSize}x${base.data.hrPatchSize} HR patches, the 8 flips/rotations, constant lr ${base.train.lr.toExponential()}, L1 to HR`,
    apply: ({ base }) => base,
  },
  reparam: {
    lever: ({ levers: { reparam } }) =>
      `\`arch.reparam\` of \`${REPARAM_CONFIG_PATH}\`: ${reparam.convs.join(', ')} trained as collapsible blocks, expansion ${reparam.expansion}`,
    apply: ({ base, levers }) => (base.arch.arch === 'wdsr_b' ? { ...base, arch: { ...base.arch, reparam: levers.reparam } } : base),
  },
  distill: {
    lever: ({ levers: { distill } }) =>
      `\`distill\` of \`${DISTILL_CONFIG_PATH}\`: teacher \`${distill.teacher}\` (SHA-256 ${distill.sha256.slice(0, 12)}…), weight ${distill.weight}`,
    apply: ({ base, levers }) => ({ ...base, distill: levers.distill }),
  },
  patch128: {
    lever: ({ base }) => `\`data.hrPatchSize\` ${LARGE_PATCH} (${LARGE_PATCH / base.arch.scale}x${LARGE_PATCH / base.arch.scale} LR)`,
    apply: ({ base }) => ({ ...base, data: { ...base.data, hrPatchSize: LARGE_PATCH } }),
  },
  'no-flips': {
    lever: () => '`data.augment` false: patches as cropped, no flips/rotations',
    apply: ({ base }) => ({ ...base, data: { ...base.data, augment: false } }),
  },
  cosine: {
    lever: ({ base }) =>
      `\`train.lrSchedule\` cosine over the ${base.train.iterations.toLocaleString('en-US')} iterations: lr from ${base.train.lr.toExponential()} to 0`,
    apply: ({ base }) => ({ ...base, train: { ...base.train, lrHalvingSteps: [], lrSchedule: { kind: 'cosine', iterations: base.train.iterations } } }),
  },
};

/**
 * The ablation's budget, over `iterations` when given (see withIterations), and its levers
 * read from the configs that train them at full length, so the arms follow those configs.
 *
 * @example
 * const suite = await loadAblationSuite(1000);
 * ablationExperiments(suite).map((e) => e.arm); // ['plain', 'reparam', 'distill', 'patch128', 'no-flips', 'cosine']
 */
export async function loadAblationSuite(iterations?: number, options: { readonly checkData?: boolean } = {}): Promise<AblationSuite> {
  const base = await loadReproBase(ABLATION_BASE_PATH, iterations, options);
  const [reparamConfig, distillConfig] = await Promise.all(
    [REPARAM_CONFIG_PATH, DISTILL_CONFIG_PATH].map((path) => loadExperimentConfig(resolveRepoPath(path), { checkData: false })),
  );
  const reparam = reparamConfig!.arch.arch === 'wdsr_b' ? reparamConfig!.arch.reparam : undefined;
  if (reparam === undefined) throw new Error(`${REPARAM_CONFIG_PATH} has no arch.reparam for the reparam arm`);
  const { distill } = distillConfig!;
  if (distill === undefined) throw new Error(`${DISTILL_CONFIG_PATH} has no distill section for the distill arm`);
  if (base.arch.arch !== 'wdsr_b' || base.arch.reparam !== undefined || base.distill !== undefined || base.train.lrSchedule !== undefined) {
    throw new Error(`${ABLATION_BASE_PATH} must be the plain arm: a WDSR-B without reparam, distillation or lrSchedule`);
  }
  return { base, levers: { reparam, distill } };
}

/**
 * The arms of the ablation (all of them unless `arms` names some), in `ABLATION_ARMS` order:
 * the budget with one lever pulled each, so every arm trains from the same seed on the same
 * data stream for the same iterations, and differs from `plain` in its lever alone (and its
 * name and description). Each is validated like a config file.
 *
 * @example
 * ablationExperiments(suite, ['plain', 'cosine']).map((e) => e.config.name);
 * // ['WDSR-B_x2_f16b8e6r0.8_wn_lr1e-3_s1_i1000_plain', 'WDSR-B_x2_f16b8e6r0.8_wn_lr1e-3_s1_i1000_cosine']
 */
export function ablationExperiments(suite: AblationSuite, arms: readonly AblationArm[] = ABLATION_ARMS): AblationExperiment[] {
  const { base } = suite;
  return ABLATION_ARMS.filter((arm) => arms.includes(arm)).map((arm) => {
    const lever = ARMS[arm].lever(suite);
    const name = `${runName(base.arch, base.train.lr, base.train.seed, base.train.iterations)}_${arm}`;
    const description = `Ablation of issue #20, arm ${arm}: ${lever.replace(/`/g, '')}; otherwise the budget of ${ABLATION_BASE_PATH} (${base.name})`;
    const config = validateExperimentConfig({ ...ARMS[arm].apply(suite), name, description }, name);
    return { arm, lever, label: arm, config };
  });
}
